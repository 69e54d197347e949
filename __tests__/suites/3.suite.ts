// Share 3 of the unit test files (shares.ts).
import { runShare } from "./shares";

runShare(3);
