import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'cursor-buffer', rootDir: import.meta.dirname };
