// Package registry maps stage kind names to specs and constructors, so
// that flows (YAML `kind:`) and model loading build stages by name,
// without reflection.
//
// # Registering
//
// A stage package registers its kinds from init with MustRegister(Spec{
// Kind, Doc, New}). Kind names match ^[a-z][a-z0-9_]*$. Register builds
// one stage with default params, to check that the constructor works and
// reports the right kind, and to record the stage's type (transformer,
// estimator or model) and its params (Info) for the CLI and the docs.
// Composite kinds (a pipeline) set NewComposite instead of New.
//
// # Environments
//
// An Environment is a set of kinds. Global is the one init functions fill;
// NewEnvironment returns a copy of it and NewEmptyEnvironment one with
// only the built-in "pipeline" and "pipeline_model" kinds, for tests.
// Environment.New builds a stage from param values decoded from JSON or
// YAML; an unknown kind is an error (ErrUnknownKind) that lists the known
// ones.
package registry
