import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'jetstream-cli', rootDir: import.meta.dirname };
