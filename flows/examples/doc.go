// Package examples holds Eddy's example flow files, embedded so that the
// eddy binary carries them.
//
// # Files
//
//   - quickstart.yaml: what `eddy quickstart` runs: ingest a generated
//     click-through-like data set, train a feature-hashing logistic
//     regression, validate and deploy it, serve it, and learn online with
//     FTRL from the live stream, publishing a version every few seconds
//     through a quality gate; each published version is validated and
//     deployed in turn, and the server swaps to it.
//   - production.yaml: the same shape on Redis (registry, run store, run
//     lock) over the user's files, validating every version against the
//     deployed champion and retraining when drift is detected.
//
// See README.md for how to run each one.
package examples
