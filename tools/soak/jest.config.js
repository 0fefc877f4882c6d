import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'soak', rootDir: import.meta.dirname };
