// node:worker_threads in the browser: the hashing worker builds trees, which a claim never does.
export class Worker {
  constructor() {
    throw new Error("no worker threads in the claim page");
  }
}
export const parentPort = null;
