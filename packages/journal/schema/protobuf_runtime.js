// The protobufjs runtime used by the generated schema, set to decode 64-bit
// integers as JavaScript numbers rather than Long objects. It must load before
// fsjournal.js evaluates its field defaults, hence its own module.
import $protobuf from 'protobufjs/minimal.js';

$protobuf.util.Long = undefined;
$protobuf.configure();

export default $protobuf;
