import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'sequencing', rootDir: import.meta.dirname };
