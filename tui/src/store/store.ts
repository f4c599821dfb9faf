// The one store: the reducer applies each action at once; subscribers (React, through
// useSyncExternalStore) are told at most once per `flushMs`, so a burst of service updates is one render.
import { type Action, reducer } from "./reducer.js";
import type { State } from "./state.js";

export interface Store {
  /** The latest state (services). */
  getState(): State;
  /** What subscribers were last told (React). */
  snapshot(): State;
  dispatch(action: Action): void;
  subscribe(listener: () => void): () => void;
  /** Tells the subscribers now (tests; exit). */
  flush(): void;
}

export function createStore(initial: State, flushMs = 50): Store {
  let state = initial;
  let published = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (published === state) return;
    published = state;
    for (const l of [...listeners]) l();
  };
  return {
    getState: () => state,
    snapshot: () => published,
    dispatch(action) {
      state = reducer(state, action);
      if (state !== published && timer === undefined) timer = setTimeout(flush, flushMs);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
  };
}
