import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'subscribers', rootDir: import.meta.dirname };
