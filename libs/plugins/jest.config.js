import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'plugins', rootDir: import.meta.dirname };
