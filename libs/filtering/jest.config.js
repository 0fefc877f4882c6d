import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'filtering', rootDir: import.meta.dirname };
