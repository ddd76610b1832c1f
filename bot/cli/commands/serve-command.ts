import type { CliCommand } from '../cli-command.js';

/** serve: the HTTP server, workers and scheduler (= npm start). */
export const serveCommand: CliCommand = {
  path: ['serve'],
  usage: 'dualkey serve',
  options: {},
  args: [0, 0],
  async run(ctx) {
    await ctx.serve();
    return { json: { stopped: true }, text: 'dualkey stopped.' };
  },
};
