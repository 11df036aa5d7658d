/**
 * Preload that records a V8 CPU profile of the process it is loaded into (`NODE_OPTIONS` refuses `--cpu-prof`):
 * `NODE_OPTIONS="--import ./bench/cpu-profile.mjs" CPU_PROFILE_DIR=/tmp/prof …`. The profile is written when the
 * process exits normally (SIGTERM → graceful stop → exit), as `<pid>.cpuprofile`, for Chrome DevTools or speedscope.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  const originalExit = process.exit.bind(process);
  let written = false;
  const write = (done) => {
    if (written) return done();
    written = true;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      done();
    });
  };
  process.exit = (code) => write(() => originalExit(code));
}
