// Share 2 of the unit test files (shares.ts).
import { runShare } from "./shares";

runShare(2);
