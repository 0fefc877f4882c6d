import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'car', rootDir: import.meta.dirname };
