// Preloaded (`node -r`) into the generator the benchmark measures: as the process exits, writes one
// line to standard error with the CPU seconds and peak memory of the whole process, start-up included.
"use strict";
process.on("exit", () => {
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    require("fs").writeSync(2, `BENCH_PROCESS ${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMB: Math.round(usage.maxRSS / 1024) })}\n`);
});
