export { ObjectStoreCredentials, OBJECT_STORE_VARIABLES } from "./object-store-credentials";
