// Hooks: the store through useSyncExternalStore, derived values memoised on the state snapshot.
import { createContext, useContext, useMemo, useSyncExternalStore } from "react";
import type { State } from "../store/state.js";
import type { Store } from "../store/store.js";

export const StoreContext = createContext<Store | undefined>(undefined);

export function useStoreState(): State {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useStoreState outside <StoreContext>");
  return useSyncExternalStore(store.subscribe, store.snapshot, store.snapshot);
}

/** `select(state)`, recomputed only when the state changes. */
export function useSelector<T>(select: (state: State) => T): T {
  const state = useStoreState();
  // biome-ignore lint/correctness/useExhaustiveDependencies: selectors are module-level pure functions
  return useMemo(() => select(state), [state]);
}
