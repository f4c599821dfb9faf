// Simulator: not in this build of the TUI; the screen says so and how to run the simulator instead.
import { Text } from "ink";
import { Notice } from "../components.js";

export function SimulatorScreen() {
  return (
    <>
      <Notice kind="disabled">
        The simulator screen is not in this version of the TUI. Run scenarios from a shell: npm run sim -- --help
        (docs/simulator.md lists the scenarios and their settings).
      </Notice>
      <Text> </Text>
    </>
  );
}
