import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'compression', rootDir: import.meta.dirname };
