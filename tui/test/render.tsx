// Rendering the real app into a fake terminal of a given size. ink-testing-library's stdout is fixed at
// 100 columns with no rows (notes/tui.md §2.9), so the size-dependent frames use this twin of it that
// takes {columns, rows} and can emit 'resize'; both render with Ink's debug mode (every frame whole).
import { EventEmitter } from "node:events";
import { render as inkRender } from "ink";
import type { ReactElement } from "react";

class Stdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
}

class Stdin extends EventEmitter {
  isTTY = true;
  data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit("readable");
    this.emit("data", data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export const tick = async () => {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
};

export function renderAt(tree: ReactElement, size: { columns: number; rows: number }) {
  const stdout = new Stdout(size.columns, size.rows);
  const stdin = new Stdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new Stdout(size.columns, size.rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdout,
    lastFrame: () => stdout.frames[stdout.frames.length - 1] ?? "",
    /** One key, then the yields React 19 needs to flush and re-register input handlers. */
    press: async (key: string) => {
      stdin.write(key);
      await tick();
      await tick();
    },
    resize: async (columns: number, rows: number) => {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit("resize");
      await tick();
      await tick();
    },
    unmount: () => {
      instance.unmount();
      instance.cleanup();
    },
  };
}
