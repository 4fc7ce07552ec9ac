import assert from "node:assert/strict";
import { formatOutput } from "./output.ts";
import { repoListView } from "./repo_list_view.ts";

Deno.test("repoListView() prints one name per line and regctl's JSON", async () => {
  const v = repoListView(["a", "b/c"]);
  assert.equal(await formatOutput(v, "{{printPretty .}}"), "a\nb/c\n");
  assert.equal(await formatOutput(v, "{{json .}}"), '{"repositories":["a","b/c"]}\n');
  assert.equal(await formatOutput(v, "{{range .Repositories}}{{.}};{{end}}"), "a;b/c;");
  assert.equal(repoListView([]).marshalPretty(), "");
});
