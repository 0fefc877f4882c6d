import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'fake-relay', rootDir: import.meta.dirname };
