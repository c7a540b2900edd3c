import $protobuf from 'protobufjs/minimal.js';
export * from 'protobufjs/minimal.js';
export default $protobuf;
