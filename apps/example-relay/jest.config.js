import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'example-relay', rootDir: import.meta.dirname };
