import assert from "node:assert/strict";
import { SyncMetrics } from "./metrics.ts";
import { emptySummary } from "./runner_types.ts";

Deno.test("SyncMetrics renders every family per step and adds up runs", () => {
  const m = new SyncMetrics([{ index: 0, source: 'a"b' }, { index: 1, source: "c" }]);
  m.record(0, { ...emptySummary(), copied: 2, bytes: 100 }, 5_000);
  m.record(0, { ...emptySummary(), copied: 1, failed: 1, bytes: 5 }, 9_000);
  const text = m.render();
  assert.match(text, /^# HELP ocictl_sync_last_run_timestamp_seconds /m);
  assert.match(text, /^ocictl_sync_last_run_timestamp_seconds\{step="0",source="a\\"b"\} 9$/m);
  assert.match(text, /^ocictl_sync_last_run_success\{step="0",source="a\\"b"\} 0$/m);
  assert.match(text, /^ocictl_sync_runs_total\{step="0",source="a\\"b"\} 2$/m);
  assert.match(text, /^ocictl_sync_images_copied_total\{step="0",source="a\\"b"\} 3$/m);
  assert.match(text, /^ocictl_sync_failures_total\{step="0",source="a\\"b"\} 1$/m);
  assert.match(text, /^ocictl_sync_bytes_total\{step="0",source="a\\"b"\} 105$/m);
  assert.match(text, /^ocictl_sync_runs_total\{step="1",source="c"\} 0$/m);
});
