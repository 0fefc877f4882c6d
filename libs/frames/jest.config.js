import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'frames', rootDir: import.meta.dirname };
