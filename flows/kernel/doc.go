// Package kernel is Eddy's Jupyter kernel: it speaks the Jupyter
// messaging protocol 5.3 over ZeroMQ (github.com/go-zeromq/zmq4, pure
// Go) and runs notebook cells on gpython with the `eddy` module
// (flows/pyscript) through internal/pybridge. `eddy kernel
// --connection-file F` runs it; `eddy kernel install` registers its
// kernelspec (NewSpec, InstallSpec).
//
// # Connection and wire format
//
// ParseConnection / ReadConnectionFile read the connection file Jupyter
// writes (transport tcp or ipc, ip, the five ports, key,
// signature_scheme hmac-sha256). Messages are multipart: routing
// identities, "<IDS|MSG>", the HMAC-SHA256 hex signature of the header,
// parent header, metadata and content frames, those four JSON frames,
// then binary buffers (Encode, Decode). A message whose signature does
// not match is rejected (ErrBadSignature) and logged, never run.
//
// # Sockets and requests
//
// Shell and control are ROUTER sockets, each served by its own
// goroutine, iopub a PUB socket, stdin a ROUTER that is drained (cells
// cannot ask for input), heartbeat a REP socket echoing what it gets.
// Every request is framed by status busy and idle on iopub. Handled:
// kernel_info, execute, is_complete, comm_info (no comms),
// complete and inspect (empty answers), history (empty), interrupt and
// shutdown (on control or shell). Not supported: stdin (input()),
// comms and widgets, user_expressions (always empty), and stop_on_error
// (zmq4 cannot tell which requests are queued, so cells a client sent
// before a failure still run; nbconvert sends one cell at a time).
//
// # Execution
//
// Cells run one at a time in one persistent interpreter
// (pybridge.Session), named "<cell N>" in tracebacks, N being the
// execution count, so that variables and functions survive between
// cells. print output and sys.stderr stream on iopub (flushed every
// 100 ms and at the end of the cell); the value of a trailing expression
// (not None) is the execute_result (text/plain repr, plus text/html for
// an eddy table); eddy calls that produce rich output (plots) publish
// display_data through pyscript.WithDisplay. An exception gives an
// error message and an execute_reply with ename, evalue and the Python
// traceback pointing at the cell line.
//
// # Interrupts
//
// gpython cannot stop running code. An interrupt_request (the kernelspec
// asks Jupyter for interrupt_mode "message"), SIGINT, or
// Options.CellTimeout abandons the interpreter: the cell fails with
// KeyboardInterrupt (TimeoutError), a fresh interpreter replaces it, and
// the state of earlier cells is lost, which the error says. The
// abandoned code keeps a CPU busy until it ends.
package kernel
