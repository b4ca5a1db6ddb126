// The golden vectors live with the examples (the inspector ships them as samples); the tests read
// them from here.
export * from "../../examples/vectors.mjs";
