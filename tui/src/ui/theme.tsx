// Semantic colours per theme. Every state also carries a word or glyph, so mono stays readable.
import { createContext, useContext } from "react";
import type { ThemeName } from "../config.js";

export interface Theme {
  name: ThemeName;
  accent: string | undefined;
  good: string | undefined;
  warn: string | undefined;
  bad: string | undefined;
  dim: string | undefined;
  badge: Record<string, string | undefined>;
}

export const THEMES: Record<ThemeName, Theme> = {
  dark: {
    name: "dark",
    accent: "cyan",
    good: "green",
    warn: "yellow",
    bad: "red",
    dim: "gray",
    badge: { mainnet: "red", devnet: "magenta", testnet: "yellow", localnet: "green", custom: "blue" },
  },
  light: {
    name: "light",
    accent: "blue",
    good: "green",
    warn: "magenta",
    bad: "red",
    dim: "gray",
    badge: { mainnet: "red", devnet: "magenta", testnet: "magenta", localnet: "green", custom: "blue" },
  },
  mono: {
    name: "mono",
    accent: undefined,
    good: undefined,
    warn: undefined,
    bad: undefined,
    dim: undefined,
    badge: {},
  },
};

export const ThemeContext = createContext<Theme>(THEMES.dark);
export const useTheme = () => useContext(ThemeContext);
