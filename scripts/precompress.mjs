// Trunk post_build hook (Trunk.toml): writes NAME.gz and NAME.br (Brotli, quality 11) beside
// each .wasm, .js, .css and .html file of a release build, so a static host that serves
// precompressed files (nginx gzip_static / brotli_static, Caddy's
// `file_server { precompressed br gzip }`) sends the smaller one.
// The .gz is zopfli's: any gzip reader unpacks it, and its deflate stream is smaller than
// zlib's level 9 (the wasm's ~5 %, ~40 kB less on the wire) for ~8 s of build time.
// Debug builds (`trunk serve`) are left alone: compressing them would only slow reloads.
// Usage outside Trunk: node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gunzipSync } from "node:zlib";
import { gzipAsync } from "@gfx/zopfli";

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("precompress: no directory: give one, or run as a Trunk hook");
  process.exit(1);
}
if (!process.argv[2] && process.env.TRUNK_PROFILE !== "release") {
  process.exit(0);
}

const TEXT = /\.(js|css|html)$/;
for (const name of readdirSync(dir).sort()) {
  if (!/\.(wasm|js|css|html)$/.test(name)) continue;
  const data = readFileSync(join(dir, name));
  const gz = await gzipAsync(data, { numiterations: 15 });
  if (!gunzipSync(gz).equals(data)) {
    console.error(`precompress: ${name}.gz does not unpack to ${name}`);
    process.exit(1);
  }
  writeFileSync(join(dir, name + ".gz"), gz);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: TEXT.test(name)
        ? constants.BROTLI_MODE_TEXT
        : constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(join(dir, name + ".br"), br);
}
