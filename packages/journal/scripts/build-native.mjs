// Builds the FUSE binding (native/fuse_binding.c, against Debian's
// libfuse3-dev) at install time. Mount mode needs it; nothing else does, so a
// failed build is a warning, not a failed install: `fsjournal primary --mode
// mount` then says the binding is missing (FSJ_ERR_MOUNT_UNAVAILABLE).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/', import.meta.url));
if (process.platform !== 'linux') {
  console.warn('fsjournal: FUSE binding not built (mount mode is Linux only)');
  process.exit(0);
}
// npm runs install scripts with its bundled node-gyp on PATH and in npm_config_node_gyp.
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const res = spawnSync(cmd, [...args, 'rebuild'], { cwd: dir, stdio: 'inherit' });
if (res.status !== 0) {
  console.warn(
    'fsjournal: FUSE binding not built; mount mode is unavailable. ' +
      'It needs libfuse3-dev, pkg-config and a C compiler (Debian: apt-get install libfuse3-dev).',
  );
}
