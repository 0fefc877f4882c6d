import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'jetstream-server', rootDir: import.meta.dirname };
