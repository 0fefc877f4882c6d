import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  parseCpuSeconds,
  processAndChildren,
  parseRssBytes,
  parseRunQueueWaitSeconds,
  summarizeSamples,
} from './process-sampler.js';

describe('process readings', () => {
  it('reads user + system ticks from /proc/<pid>/stat, even with spaces and parentheses in the name', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 27 0 0 0 250 75 0 0 20 0 11 0 100 1000 2000';
    expect(parseCpuSeconds(stat)).toBe(3.25);
  });

  it('reads VmRSS from /proc/<pid>/status in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmHWM:\t  9000 kB\nVmRSS:\t  131072 kB\nThreads:\t11\n')).toBe(
      128 * 1024 * 1024,
    );
    expect(parseRssBytes('Name:\tzombie\n')).toBeNaN();
  });

  it('reads the run-queue wait from /proc/<pid>/schedstat (nanoseconds, second field)', () => {
    expect(parseRunQueueWaitSeconds('260852474 325830861 906\n')).toBeCloseTo(0.325830861, 9);
  });

  it('summarizes CPU and run-queue wait over the window, RSS mean and peak', () => {
    const usage = summarizeSamples([
      { atMs: 0, cpuSeconds: 10, waitSeconds: 1, rssBytes: 100 },
      { atMs: 1000, cpuSeconds: 10.5, waitSeconds: 1.2, rssBytes: 300 },
      { atMs: 2000, cpuSeconds: 11.5, waitSeconds: 1.5, rssBytes: 200 },
    ]);
    expect(usage).toEqual({
      cpuPercent: 75,
      cpuSeconds: 1.5,
      wallSeconds: 2,
      runQueueWaitPercent: 25,
      rssMeanBytes: 200,
      rssMaxBytes: 300,
      samples: 3,
    });
  });

  it('lists a process and its children (the server primary and its --workers)', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      expect(processAndChildren(process.pid)).toContain(child.pid);
      expect(processAndChildren(process.pid)[0]).toBe(process.pid);
      expect(processAndChildren(child.pid!)).toEqual([child.pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
