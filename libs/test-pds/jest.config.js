import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'test-pds', rootDir: import.meta.dirname };
