// Package flowrun gives the `eddy` Python module (flows/pyscript) its
// eddy.flow_run function: importing it sets pyscript's FlowRunner to Run,
// which runs a flow file to its end with flows/scheduler on embedded
// stores. It is a separate package because flows/jobs, which the
// scheduler imports, imports flows/pyscript for its python job; the eddy
// binary imports it from `eddy python` and the notebook kernel.
//
// # Stores
//
// The registry is FlowRequest.Registry, else the flow's stores.registry,
// else file://DIR/.eddy with DIR the flow file's directory; the run store
// is FlowRequest.State, else the flow's stores.state, else
// DIR/.eddy/flows (a redis:// registry keeps runs in Redis). A flow
// written by a notebook into a temporary directory thus keeps its models
// and runs there. Streaming jobs checkpoint under the flow's
// stores.checkpoints, else STATE/checkpoints.
//
// # Outcome
//
// Run returns the run's instances in creation order with their status,
// cause, attempts, error and outputs (a train job's model version, a
// validate job's metric). A run whose jobs failed is returned with its
// status failed and error; an error without a run means the flow file is
// invalid (every problem at file:line:column) or the stores could not be
// opened.
package flowrun
