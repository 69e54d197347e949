// Tests build stacks with Testing.app() as well as environmentApp: every cdktf token would record a stack
// trace, each frame source-mapped under jest (45% of the unit suite). Off for the test file, as synth has it.
import { skipTokenStackTraces } from "../../lib/environment/token-stack-traces";

skipTokenStackTraces();
