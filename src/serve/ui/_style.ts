/**
 * The stylesheet of the registry browser, bundled as a module (no asset is
 * read from disk or fetched): system fonts, light and dark colours from
 * `prefers-color-scheme`, and a layout that reflows on narrow screens.
 *
 * @module
 */

/** The CSS, inlined into every page. */
export const UI_CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;
--head:#f6f8fa;--link:#0969da;--accent:#1f883d;--bad:#d1242f;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--head:#161b22;--link:#4493f8;--accent:#3fb950;--bad:#f85149;--code:#161b22}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{background:var(--head);border-bottom:1px solid var(--line);padding:.6rem 1rem;
display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:baseline}
header .brand{font-weight:700;color:var(--fg);text-decoration:none}
nav.crumbs{color:var(--muted);overflow-wrap:anywhere}
main{padding:1rem;max-width:76rem;margin:0 auto}
a{color:var(--link)}
h1{font-size:1.35rem;margin:.2rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
.mono{overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.7rem;
overflow:auto;max-height:32rem}
.copy{display:block;user-select:all;-webkit-user-select:all;background:var(--code);
border:1px solid var(--line);border-radius:6px;padding:.35rem .6rem;margin:.25rem 0;
overflow-wrap:anywhere}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.digest{overflow-wrap:anywhere;min-width:10rem}
.muted{color:var(--muted)}
.badge{display:inline-block;border:1px solid var(--line);border-radius:1em;padding:0 .5em;
margin:0 .2em .2em 0;font-size:.82em;white-space:nowrap}
form.filter{display:flex;gap:.5rem;margin:0 0 1rem}
form.filter input{flex:1;min-width:0;padding:.4rem .6rem;font:inherit;color:inherit;
background:var(--bg);border:1px solid var(--line);border-radius:6px}
button,.button{font:inherit;padding:.4rem .8rem;border:1px solid var(--line);border-radius:6px;
background:var(--head);color:var(--fg);text-decoration:none}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.error{border:1px solid var(--bad);border-radius:6px;padding:.8rem 1rem}
.error h1{color:var(--bad)}
ul.tree{list-style:none;padding-left:1.1rem;margin:.2rem 0;border-left:1px solid var(--line)}
ul.tree li{margin:.3rem 0}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;overflow-wrap:anywhere}
@media (max-width:640px){body{font-size:14px}main{padding:.6rem}
.wide{display:none}dl.kv{grid-template-columns:1fr}dl.kv dd{margin-bottom:.4rem}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr{display:block}
table.cards tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.cards td{display:inline-block;border:0;padding:.1rem .5rem .1rem 0;text-align:left}
table.cards td:first-child{display:block;font-weight:600;overflow-wrap:anywhere}}
`;
