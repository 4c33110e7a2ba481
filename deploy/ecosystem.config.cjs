// The bot under pm2 (README "Operations"): `npm run build`, then `pm2 start deploy/ecosystem.config.cjs`.
// The bot reads `.env` from its working directory (the checkout) itself, so pm2 needs no environment file.
const { join } = require("node:path");

module.exports = {
  apps: [
    {
      name: "study-bot",
      cwd: join(__dirname, ".."),
      // npm run build's JavaScript with plain node (no tsx at run time).
      script: "dist/src/index.js",
      interpreter: "node",
      node_args: "--enable-source-maps",
      // One process: sharding is SHARD_COUNT (discord.js's ShardingManager forks the shards), never pm2's cluster.
      exec_mode: "fork",
      instances: 1,
      autorestart: true,
      // A start that keeps failing (a refused token, an unreachable database) is not restarted forever.
      min_uptime: "30s",
      max_restarts: 10,
      restart_delay: 5000,
      // pm2 stops with SIGINT, which the bot handles as SIGTERM (metrics server, running tick, gateway,
      // database); SIGKILL only after this long, as systemd's TimeoutStopSec.
      kill_timeout: 30000,
      // pino writes its own timestamps (JSON lines: stderr is no terminal under pm2).
      time: false,
    },
  ],
};
