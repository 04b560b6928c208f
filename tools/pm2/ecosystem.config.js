// LeadLedger under PM2, for teams already running their backend with it (the old Node backend did).
// Start: pm2 start tools/pm2/ecosystem.config.js && pm2 save. Settings: LEADLEDGER_* in env below or in the shell.
//
// The restart policy answers the old backend's 485 restarts: a process that dies within min_uptime counts as
// unstable, restarts back off exponentially from 1 s (up to PM2's 15 s cap), and after max_restarts unstable restarts
// PM2 gives up and leaves it stopped (the ledger's own crash_loop alert has fired long before). kill_timeout gives a
// graceful stop 30 s: PM2's default of 1.6 s after SIGINT would kill a commit or an AmoCRM call in flight.
//
// Descriptors: PM2 has no setting for them; a process inherits the PM2 daemon's limits. serve and react raise their
// soft limit to the hard one at start and log what they got ("descriptor limit raised from 1024 to …"); raise the
// hard limit for the user PM2 runs as (/etc/security/limits.conf: `leadledger hard nofile 65536`) if that is low.
const common = {
  script: "/usr/local/bin/leadledger",
  interpreter: "none",
  exec_mode: "fork",
  instances: 1,
  cwd: "/var/lib/leadledger",
  autorestart: true,
  min_uptime: "60s",
  max_restarts: 10,
  exp_backoff_restart_delay: 1000,
  kill_timeout: 30000,
  log_date_format: "YYYY-MM-DD HH:mm:ss.SSS Z",
  merge_logs: true,
  time: false,
  env: {
    LEADLEDGER_DB: "/var/lib/leadledger/ledger.sqlite",
  },
};

module.exports = {
  apps: [
    {
      ...common,
      name: "leadledger-serve",
      args: "serve",
      max_memory_restart: "300M",
      out_file: "/var/log/leadledger/serve.out.log",
      error_file: "/var/log/leadledger/serve.err.log",
    },
    {
      ...common,
      name: "leadledger-react",
      // One reactor per log: a second instance would only wait on the lock.
      args: "react",
      max_memory_restart: "250M",
      out_file: "/var/log/leadledger/react.out.log",
      error_file: "/var/log/leadledger/react.err.log",
    },
  ],
};
