/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "./protobuf_runtime.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const fsjournal = $root.fsjournal = (() => {

    /**
     * Namespace fsjournal.
     * @exports fsjournal
     * @namespace
     */
    const fsjournal = {};

    fsjournal.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof fsjournal
         * @namespace
         */
        const v1 = {};

        /**
         * ProtocolVersion enum.
         * @name fsjournal.v1.ProtocolVersion
         * @enum {number}
         * @property {number} PROTOCOL_VERSION_UNSPECIFIED=0 PROTOCOL_VERSION_UNSPECIFIED value
         * @property {number} PROTOCOL_VERSION_1=1 PROTOCOL_VERSION_1 value
         */
        v1.ProtocolVersion = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "PROTOCOL_VERSION_UNSPECIFIED"] = 0;
            values[valuesById[1] = "PROTOCOL_VERSION_1"] = 1;
            return values;
        })();

        /**
         * RecordKind enum.
         * @name fsjournal.v1.RecordKind
         * @enum {number}
         * @property {number} RECORD_KIND_UNSPECIFIED=0 RECORD_KIND_UNSPECIFIED value
         * @property {number} RECORD_KIND_CREATE=1 RECORD_KIND_CREATE value
         * @property {number} RECORD_KIND_WRITE=2 RECORD_KIND_WRITE value
         * @property {number} RECORD_KIND_TRUNCATE=3 RECORD_KIND_TRUNCATE value
         * @property {number} RECORD_KIND_UNLINK=4 RECORD_KIND_UNLINK value
         * @property {number} RECORD_KIND_MKDIR=5 RECORD_KIND_MKDIR value
         * @property {number} RECORD_KIND_RMDIR=6 RECORD_KIND_RMDIR value
         * @property {number} RECORD_KIND_RENAME=7 RECORD_KIND_RENAME value
         * @property {number} RECORD_KIND_SYMLINK=8 RECORD_KIND_SYMLINK value
         * @property {number} RECORD_KIND_LINK=9 RECORD_KIND_LINK value
         * @property {number} RECORD_KIND_CHMOD=10 RECORD_KIND_CHMOD value
         * @property {number} RECORD_KIND_CHOWN=11 RECORD_KIND_CHOWN value
         * @property {number} RECORD_KIND_UTIMES=12 RECORD_KIND_UTIMES value
         * @property {number} RECORD_KIND_SETXATTR=13 RECORD_KIND_SETXATTR value
         * @property {number} RECORD_KIND_TXN_BEGIN=64 RECORD_KIND_TXN_BEGIN value
         * @property {number} RECORD_KIND_TXN_COMMIT=65 RECORD_KIND_TXN_COMMIT value
         * @property {number} RECORD_KIND_TXN_ABORT=66 RECORD_KIND_TXN_ABORT value
         * @property {number} RECORD_KIND_CHECKPOINT=67 RECORD_KIND_CHECKPOINT value
         * @property {number} RECORD_KIND_GAP=68 RECORD_KIND_GAP value
         * @property {number} RECORD_KIND_ANNOTATE=69 RECORD_KIND_ANNOTATE value
         * @property {number} RECORD_KIND_BARRIER=70 RECORD_KIND_BARRIER value
         */
        v1.RecordKind = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "RECORD_KIND_UNSPECIFIED"] = 0;
            values[valuesById[1] = "RECORD_KIND_CREATE"] = 1;
            values[valuesById[2] = "RECORD_KIND_WRITE"] = 2;
            values[valuesById[3] = "RECORD_KIND_TRUNCATE"] = 3;
            values[valuesById[4] = "RECORD_KIND_UNLINK"] = 4;
            values[valuesById[5] = "RECORD_KIND_MKDIR"] = 5;
            values[valuesById[6] = "RECORD_KIND_RMDIR"] = 6;
            values[valuesById[7] = "RECORD_KIND_RENAME"] = 7;
            values[valuesById[8] = "RECORD_KIND_SYMLINK"] = 8;
            values[valuesById[9] = "RECORD_KIND_LINK"] = 9;
            values[valuesById[10] = "RECORD_KIND_CHMOD"] = 10;
            values[valuesById[11] = "RECORD_KIND_CHOWN"] = 11;
            values[valuesById[12] = "RECORD_KIND_UTIMES"] = 12;
            values[valuesById[13] = "RECORD_KIND_SETXATTR"] = 13;
            values[valuesById[64] = "RECORD_KIND_TXN_BEGIN"] = 64;
            values[valuesById[65] = "RECORD_KIND_TXN_COMMIT"] = 65;
            values[valuesById[66] = "RECORD_KIND_TXN_ABORT"] = 66;
            values[valuesById[67] = "RECORD_KIND_CHECKPOINT"] = 67;
            values[valuesById[68] = "RECORD_KIND_GAP"] = 68;
            values[valuesById[69] = "RECORD_KIND_ANNOTATE"] = 69;
            values[valuesById[70] = "RECORD_KIND_BARRIER"] = 70;
            return values;
        })();

        v1.Credentials = (function() {

            /**
             * Properties of a Credentials.
             * @typedef {Object} fsjournal.v1.Credentials.$Properties
             * @property {number|null} [uid] Credentials uid
             * @property {number|null} [gid] Credentials gid
             * @property {number|null} [pid] Credentials pid
             * @property {string|null} [comm] Credentials comm
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Credentials.
             * @memberof fsjournal.v1
             * @interface ICredentials
             * @augments fsjournal.v1.Credentials.$Properties
             * @deprecated Use fsjournal.v1.Credentials.$Properties instead.
             */

            /**
             * Shape of a Credentials.
             * @typedef {fsjournal.v1.Credentials.$Properties} fsjournal.v1.Credentials.$Shape
             */

            /**
             * Constructs a new Credentials.
             * @memberof fsjournal.v1
             * @classdesc Represents a Credentials.
             * @constructor
             * @param {fsjournal.v1.Credentials.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Credentials = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Credentials uid.
             * @member {number} uid
             * @memberof fsjournal.v1.Credentials
             * @instance
             */
            Credentials.prototype.uid = 0;

            /**
             * Credentials gid.
             * @member {number} gid
             * @memberof fsjournal.v1.Credentials
             * @instance
             */
            Credentials.prototype.gid = 0;

            /**
             * Credentials pid.
             * @member {number} pid
             * @memberof fsjournal.v1.Credentials
             * @instance
             */
            Credentials.prototype.pid = 0;

            /**
             * Credentials comm.
             * @member {string} comm
             * @memberof fsjournal.v1.Credentials
             * @instance
             */
            Credentials.prototype.comm = "";

            /**
             * Creates a new Credentials instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Credentials
             * @static
             * @param {fsjournal.v1.Credentials.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Credentials} Credentials instance
             * @type {{
             *   (properties: fsjournal.v1.Credentials.$Shape): fsjournal.v1.Credentials & fsjournal.v1.Credentials.$Shape;
             *   (properties?: fsjournal.v1.Credentials.$Properties): fsjournal.v1.Credentials;
             * }}
             */
            Credentials.create = function(properties) {
                return new Credentials(properties);
            };

            /**
             * Encodes the specified Credentials message. Does not implicitly {@link fsjournal.v1.Credentials.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Credentials
             * @static
             * @param {fsjournal.v1.Credentials.$Properties} message Credentials message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Credentials.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && message.uid !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.uid);
                if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && message.gid !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.gid);
                if (message.pid != null && $Object.hasOwnProperty.call(message, "pid") && message.pid !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.pid);
                if (message.comm != null && $Object.hasOwnProperty.call(message, "comm") && message.comm !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.comm);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Credentials message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Credentials
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Credentials & fsjournal.v1.Credentials.$Shape} Credentials
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Credentials.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Credentials();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.uid = value;
                            else
                                delete message.uid;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.gid = value;
                            else
                                delete message.gid;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.pid = value;
                            else
                                delete message.pid;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.comm = value;
                            else
                                delete message.comm;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Credentials;
        })();

        v1.Timespec = (function() {

            /**
             * Properties of a Timespec.
             * @typedef {Object} fsjournal.v1.Timespec.$Properties
             * @property {number|Long|null} [sec] Timespec sec
             * @property {number|null} [nsec] Timespec nsec
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Timespec.
             * @memberof fsjournal.v1
             * @interface ITimespec
             * @augments fsjournal.v1.Timespec.$Properties
             * @deprecated Use fsjournal.v1.Timespec.$Properties instead.
             */

            /**
             * Shape of a Timespec.
             * @typedef {fsjournal.v1.Timespec.$Properties} fsjournal.v1.Timespec.$Shape
             */

            /**
             * Constructs a new Timespec.
             * @memberof fsjournal.v1
             * @classdesc Represents a Timespec.
             * @constructor
             * @param {fsjournal.v1.Timespec.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Timespec = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Timespec sec.
             * @member {number|Long} sec
             * @memberof fsjournal.v1.Timespec
             * @instance
             */
            Timespec.prototype.sec = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Timespec nsec.
             * @member {number} nsec
             * @memberof fsjournal.v1.Timespec
             * @instance
             */
            Timespec.prototype.nsec = 0;

            /**
             * Creates a new Timespec instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Timespec
             * @static
             * @param {fsjournal.v1.Timespec.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Timespec} Timespec instance
             * @type {{
             *   (properties: fsjournal.v1.Timespec.$Shape): fsjournal.v1.Timespec & fsjournal.v1.Timespec.$Shape;
             *   (properties?: fsjournal.v1.Timespec.$Properties): fsjournal.v1.Timespec;
             * }}
             */
            Timespec.create = function(properties) {
                return new Timespec(properties);
            };

            /**
             * Encodes the specified Timespec message. Does not implicitly {@link fsjournal.v1.Timespec.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Timespec
             * @static
             * @param {fsjournal.v1.Timespec.$Properties} message Timespec message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Timespec.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.sec != null && $Object.hasOwnProperty.call(message, "sec") && (typeof message.sec === "object" ? message.sec.low || message.sec.high : message.sec !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.sec);
                if (message.nsec != null && $Object.hasOwnProperty.call(message, "nsec") && message.nsec !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.nsec);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Timespec message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Timespec
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Timespec & fsjournal.v1.Timespec.$Shape} Timespec
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Timespec.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Timespec();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.sec = value;
                            else
                                delete message.sec;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.nsec = value;
                            else
                                delete message.nsec;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Timespec;
        })();

        v1.Record = (function() {

            /**
             * Properties of a Record.
             * @typedef {Object} fsjournal.v1.Record.$Properties
             * @property {fsjournal.v1.RecordKind|null} [kind] Record kind
             * @property {string|null} [path] Record path
             * @property {string|null} [path2] Record path2
             * @property {fsjournal.v1.Credentials.$Properties|null} [cred] Record cred
             * @property {number|Long|null} [txn] Record txn
             * @property {number|Long|null} [offset] Record offset
             * @property {Uint8Array|null} [data] Record data
             * @property {number|Long|null} [size] Record size
             * @property {number|null} [mode] Record mode
             * @property {number|null} [uid] Record uid
             * @property {number|null} [gid] Record gid
             * @property {fsjournal.v1.Timespec.$Properties|null} [atime] Record atime
             * @property {fsjournal.v1.Timespec.$Properties|null} [mtime] Record mtime
             * @property {string|null} [target] Record target
             * @property {string|null} [xattrName] Record xattrName
             * @property {Uint8Array|null} [xattrValue] Record xattrValue
             * @property {boolean|null} [xattrRemove] Record xattrRemove
             * @property {number|Long|null} [inode] Record inode
             * @property {string|null} [text] Record text
             * @property {string|null} [checkpointId] Record checkpointId
             * @property {string|null} [barrierId] Record barrierId
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Record.
             * @memberof fsjournal.v1
             * @interface IRecord
             * @augments fsjournal.v1.Record.$Properties
             * @deprecated Use fsjournal.v1.Record.$Properties instead.
             */

            /**
             * Shape of a Record.
             * @typedef {fsjournal.v1.Record.$Properties} fsjournal.v1.Record.$Shape
             */

            /**
             * Constructs a new Record.
             * @memberof fsjournal.v1
             * @classdesc Represents a Record.
             * @constructor
             * @param {fsjournal.v1.Record.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Record = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Record kind.
             * @member {fsjournal.v1.RecordKind} kind
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.kind = 0;

            /**
             * Record path.
             * @member {string} path
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.path = "";

            /**
             * Record path2.
             * @member {string} path2
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.path2 = "";

            /**
             * Record cred.
             * @member {fsjournal.v1.Credentials.$Properties|null|undefined} cred
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.cred = null;

            /**
             * Record txn.
             * @member {number|Long} txn
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.txn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Record offset.
             * @member {number|Long} offset
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.offset = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Record data.
             * @member {Uint8Array} data
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.data = $util.newBuffer([]);

            /**
             * Record size.
             * @member {number|Long} size
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.size = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Record mode.
             * @member {number} mode
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.mode = 0;

            /**
             * Record uid.
             * @member {number} uid
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.uid = 0;

            /**
             * Record gid.
             * @member {number} gid
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.gid = 0;

            /**
             * Record atime.
             * @member {fsjournal.v1.Timespec.$Properties|null|undefined} atime
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.atime = null;

            /**
             * Record mtime.
             * @member {fsjournal.v1.Timespec.$Properties|null|undefined} mtime
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.mtime = null;

            /**
             * Record target.
             * @member {string} target
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.target = "";

            /**
             * Record xattrName.
             * @member {string} xattrName
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.xattrName = "";

            /**
             * Record xattrValue.
             * @member {Uint8Array} xattrValue
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.xattrValue = $util.newBuffer([]);

            /**
             * Record xattrRemove.
             * @member {boolean} xattrRemove
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.xattrRemove = false;

            /**
             * Record inode.
             * @member {number|Long} inode
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.inode = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Record text.
             * @member {string} text
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.text = "";

            /**
             * Record checkpointId.
             * @member {string} checkpointId
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.checkpointId = "";

            /**
             * Record barrierId.
             * @member {string} barrierId
             * @memberof fsjournal.v1.Record
             * @instance
             */
            Record.prototype.barrierId = "";

            /**
             * Creates a new Record instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Record
             * @static
             * @param {fsjournal.v1.Record.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Record} Record instance
             * @type {{
             *   (properties: fsjournal.v1.Record.$Shape): fsjournal.v1.Record & fsjournal.v1.Record.$Shape;
             *   (properties?: fsjournal.v1.Record.$Properties): fsjournal.v1.Record;
             * }}
             */
            Record.create = function(properties) {
                return new Record(properties);
            };

            /**
             * Encodes the specified Record message. Does not implicitly {@link fsjournal.v1.Record.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Record
             * @static
             * @param {fsjournal.v1.Record.$Properties} message Record message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Record.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.kind);
                if (message.path != null && $Object.hasOwnProperty.call(message, "path") && message.path !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.path);
                if (message.path2 != null && $Object.hasOwnProperty.call(message, "path2") && message.path2 !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.path2);
                if (message.cred != null && $Object.hasOwnProperty.call(message, "cred"))
                    $root.fsjournal.v1.Credentials.encode(message.cred, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.txn != null && $Object.hasOwnProperty.call(message, "txn") && (typeof message.txn === "object" ? message.txn.low || message.txn.high : message.txn !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.txn);
                if (message.offset != null && $Object.hasOwnProperty.call(message, "offset") && (typeof message.offset === "object" ? message.offset.low || message.offset.high : message.offset !== 0))
                    writer.uint32(/* id 10, wireType 0 =*/80).uint64(message.offset);
                if (message.data != null && $Object.hasOwnProperty.call(message, "data") && message.data.length)
                    writer.uint32(/* id 11, wireType 2 =*/90).bytes(message.data);
                if (message.size != null && $Object.hasOwnProperty.call(message, "size") && (typeof message.size === "object" ? message.size.low || message.size.high : message.size !== 0))
                    writer.uint32(/* id 12, wireType 0 =*/96).uint64(message.size);
                if (message.mode != null && $Object.hasOwnProperty.call(message, "mode") && message.mode !== 0)
                    writer.uint32(/* id 13, wireType 0 =*/104).uint32(message.mode);
                if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && message.uid !== 0)
                    writer.uint32(/* id 14, wireType 0 =*/112).uint32(message.uid);
                if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && message.gid !== 0)
                    writer.uint32(/* id 15, wireType 0 =*/120).uint32(message.gid);
                if (message.atime != null && $Object.hasOwnProperty.call(message, "atime"))
                    $root.fsjournal.v1.Timespec.encode(message.atime, writer.uint32(/* id 16, wireType 2 =*/130).fork(), _depth + 1).ldelim();
                if (message.mtime != null && $Object.hasOwnProperty.call(message, "mtime"))
                    $root.fsjournal.v1.Timespec.encode(message.mtime, writer.uint32(/* id 17, wireType 2 =*/138).fork(), _depth + 1).ldelim();
                if (message.target != null && $Object.hasOwnProperty.call(message, "target") && message.target !== "")
                    writer.uint32(/* id 18, wireType 2 =*/146).string(message.target);
                if (message.xattrName != null && $Object.hasOwnProperty.call(message, "xattrName") && message.xattrName !== "")
                    writer.uint32(/* id 19, wireType 2 =*/154).string(message.xattrName);
                if (message.xattrValue != null && $Object.hasOwnProperty.call(message, "xattrValue") && message.xattrValue.length)
                    writer.uint32(/* id 20, wireType 2 =*/162).bytes(message.xattrValue);
                if (message.xattrRemove != null && $Object.hasOwnProperty.call(message, "xattrRemove") && message.xattrRemove !== false)
                    writer.uint32(/* id 21, wireType 0 =*/168).bool(message.xattrRemove);
                if (message.inode != null && $Object.hasOwnProperty.call(message, "inode") && (typeof message.inode === "object" ? message.inode.low || message.inode.high : message.inode !== 0))
                    writer.uint32(/* id 22, wireType 0 =*/176).uint64(message.inode);
                if (message.text != null && $Object.hasOwnProperty.call(message, "text") && message.text !== "")
                    writer.uint32(/* id 30, wireType 2 =*/242).string(message.text);
                if (message.checkpointId != null && $Object.hasOwnProperty.call(message, "checkpointId") && message.checkpointId !== "")
                    writer.uint32(/* id 31, wireType 2 =*/250).string(message.checkpointId);
                if (message.barrierId != null && $Object.hasOwnProperty.call(message, "barrierId") && message.barrierId !== "")
                    writer.uint32(/* id 32, wireType 2 =*/258).string(message.barrierId);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Record message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Record
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Record & fsjournal.v1.Record.$Shape} Record
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Record.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Record();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.kind = value;
                            else
                                delete message.kind;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.path = value;
                            else
                                delete message.path;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.path2 = value;
                            else
                                delete message.path2;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.cred = $root.fsjournal.v1.Credentials.decode(reader, reader.size(), $undefined, _depth + 1, message.cred);
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.txn = value;
                            else
                                delete message.txn;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.offset = value;
                            else
                                delete message.offset;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.data = value;
                            else
                                delete message.data;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.size = value;
                            else
                                delete message.size;
                            continue;
                        }
                    case 13: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.mode = value;
                            else
                                delete message.mode;
                            continue;
                        }
                    case 14: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.uid = value;
                            else
                                delete message.uid;
                            continue;
                        }
                    case 15: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.gid = value;
                            else
                                delete message.gid;
                            continue;
                        }
                    case 16: {
                            if (wireType !== 2)
                                break;
                            message.atime = $root.fsjournal.v1.Timespec.decode(reader, reader.size(), $undefined, _depth + 1, message.atime);
                            continue;
                        }
                    case 17: {
                            if (wireType !== 2)
                                break;
                            message.mtime = $root.fsjournal.v1.Timespec.decode(reader, reader.size(), $undefined, _depth + 1, message.mtime);
                            continue;
                        }
                    case 18: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.target = value;
                            else
                                delete message.target;
                            continue;
                        }
                    case 19: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.xattrName = value;
                            else
                                delete message.xattrName;
                            continue;
                        }
                    case 20: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.xattrValue = value;
                            else
                                delete message.xattrValue;
                            continue;
                        }
                    case 21: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.xattrRemove = value;
                            else
                                delete message.xattrRemove;
                            continue;
                        }
                    case 22: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.inode = value;
                            else
                                delete message.inode;
                            continue;
                        }
                    case 30: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.text = value;
                            else
                                delete message.text;
                            continue;
                        }
                    case 31: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.checkpointId = value;
                            else
                                delete message.checkpointId;
                            continue;
                        }
                    case 32: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.barrierId = value;
                            else
                                delete message.barrierId;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Record;
        })();

        v1.Hello = (function() {

            /**
             * Properties of a Hello.
             * @typedef {Object} fsjournal.v1.Hello.$Properties
             * @property {fsjournal.v1.ProtocolVersion|null} [protocolVersion] Hello protocolVersion
             * @property {string|null} [replicaId] Hello replicaId
             * @property {string|null} [journalId] Hello journalId
             * @property {number|Long|null} [lastAppliedLsn] Hello lastAppliedLsn
             * @property {number|null} [window] Hello window
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Hello.
             * @memberof fsjournal.v1
             * @interface IHello
             * @augments fsjournal.v1.Hello.$Properties
             * @deprecated Use fsjournal.v1.Hello.$Properties instead.
             */

            /**
             * Shape of a Hello.
             * @typedef {fsjournal.v1.Hello.$Properties} fsjournal.v1.Hello.$Shape
             */

            /**
             * Constructs a new Hello.
             * @memberof fsjournal.v1
             * @classdesc Represents a Hello.
             * @constructor
             * @param {fsjournal.v1.Hello.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Hello = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Hello protocolVersion.
             * @member {fsjournal.v1.ProtocolVersion} protocolVersion
             * @memberof fsjournal.v1.Hello
             * @instance
             */
            Hello.prototype.protocolVersion = 0;

            /**
             * Hello replicaId.
             * @member {string} replicaId
             * @memberof fsjournal.v1.Hello
             * @instance
             */
            Hello.prototype.replicaId = "";

            /**
             * Hello journalId.
             * @member {string} journalId
             * @memberof fsjournal.v1.Hello
             * @instance
             */
            Hello.prototype.journalId = "";

            /**
             * Hello lastAppliedLsn.
             * @member {number|Long} lastAppliedLsn
             * @memberof fsjournal.v1.Hello
             * @instance
             */
            Hello.prototype.lastAppliedLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Hello window.
             * @member {number} window
             * @memberof fsjournal.v1.Hello
             * @instance
             */
            Hello.prototype.window = 0;

            /**
             * Creates a new Hello instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Hello
             * @static
             * @param {fsjournal.v1.Hello.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Hello} Hello instance
             * @type {{
             *   (properties: fsjournal.v1.Hello.$Shape): fsjournal.v1.Hello & fsjournal.v1.Hello.$Shape;
             *   (properties?: fsjournal.v1.Hello.$Properties): fsjournal.v1.Hello;
             * }}
             */
            Hello.create = function(properties) {
                return new Hello(properties);
            };

            /**
             * Encodes the specified Hello message. Does not implicitly {@link fsjournal.v1.Hello.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Hello
             * @static
             * @param {fsjournal.v1.Hello.$Properties} message Hello message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Hello.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.protocolVersion != null && $Object.hasOwnProperty.call(message, "protocolVersion") && message.protocolVersion !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.protocolVersion);
                if (message.replicaId != null && $Object.hasOwnProperty.call(message, "replicaId") && message.replicaId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.replicaId);
                if (message.journalId != null && $Object.hasOwnProperty.call(message, "journalId") && message.journalId !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.journalId);
                if (message.lastAppliedLsn != null && $Object.hasOwnProperty.call(message, "lastAppliedLsn") && (typeof message.lastAppliedLsn === "object" ? message.lastAppliedLsn.low || message.lastAppliedLsn.high : message.lastAppliedLsn !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.lastAppliedLsn);
                if (message.window != null && $Object.hasOwnProperty.call(message, "window") && message.window !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.window);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Hello
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Hello & fsjournal.v1.Hello.$Shape} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Hello.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Hello();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.protocolVersion = value;
                            else
                                delete message.protocolVersion;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.replicaId = value;
                            else
                                delete message.replicaId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.journalId = value;
                            else
                                delete message.journalId;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.lastAppliedLsn = value;
                            else
                                delete message.lastAppliedLsn;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.window = value;
                            else
                                delete message.window;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Hello;
        })();

        v1.Welcome = (function() {

            /**
             * Properties of a Welcome.
             * @typedef {Object} fsjournal.v1.Welcome.$Properties
             * @property {fsjournal.v1.ProtocolVersion|null} [protocolVersion] Welcome protocolVersion
             * @property {string|null} [journalId] Welcome journalId
             * @property {number|Long|null} [oldestLsn] Welcome oldestLsn
             * @property {number|Long|null} [newestLsn] Welcome newestLsn
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Welcome.
             * @memberof fsjournal.v1
             * @interface IWelcome
             * @augments fsjournal.v1.Welcome.$Properties
             * @deprecated Use fsjournal.v1.Welcome.$Properties instead.
             */

            /**
             * Shape of a Welcome.
             * @typedef {fsjournal.v1.Welcome.$Properties} fsjournal.v1.Welcome.$Shape
             */

            /**
             * Constructs a new Welcome.
             * @memberof fsjournal.v1
             * @classdesc Represents a Welcome.
             * @constructor
             * @param {fsjournal.v1.Welcome.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Welcome = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Welcome protocolVersion.
             * @member {fsjournal.v1.ProtocolVersion} protocolVersion
             * @memberof fsjournal.v1.Welcome
             * @instance
             */
            Welcome.prototype.protocolVersion = 0;

            /**
             * Welcome journalId.
             * @member {string} journalId
             * @memberof fsjournal.v1.Welcome
             * @instance
             */
            Welcome.prototype.journalId = "";

            /**
             * Welcome oldestLsn.
             * @member {number|Long} oldestLsn
             * @memberof fsjournal.v1.Welcome
             * @instance
             */
            Welcome.prototype.oldestLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Welcome newestLsn.
             * @member {number|Long} newestLsn
             * @memberof fsjournal.v1.Welcome
             * @instance
             */
            Welcome.prototype.newestLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Welcome instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Welcome
             * @static
             * @param {fsjournal.v1.Welcome.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Welcome} Welcome instance
             * @type {{
             *   (properties: fsjournal.v1.Welcome.$Shape): fsjournal.v1.Welcome & fsjournal.v1.Welcome.$Shape;
             *   (properties?: fsjournal.v1.Welcome.$Properties): fsjournal.v1.Welcome;
             * }}
             */
            Welcome.create = function(properties) {
                return new Welcome(properties);
            };

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link fsjournal.v1.Welcome.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Welcome
             * @static
             * @param {fsjournal.v1.Welcome.$Properties} message Welcome message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Welcome.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.protocolVersion != null && $Object.hasOwnProperty.call(message, "protocolVersion") && message.protocolVersion !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.protocolVersion);
                if (message.journalId != null && $Object.hasOwnProperty.call(message, "journalId") && message.journalId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.journalId);
                if (message.oldestLsn != null && $Object.hasOwnProperty.call(message, "oldestLsn") && (typeof message.oldestLsn === "object" ? message.oldestLsn.low || message.oldestLsn.high : message.oldestLsn !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.oldestLsn);
                if (message.newestLsn != null && $Object.hasOwnProperty.call(message, "newestLsn") && (typeof message.newestLsn === "object" ? message.newestLsn.low || message.newestLsn.high : message.newestLsn !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.newestLsn);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Welcome
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Welcome & fsjournal.v1.Welcome.$Shape} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Welcome.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Welcome();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.protocolVersion = value;
                            else
                                delete message.protocolVersion;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.journalId = value;
                            else
                                delete message.journalId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.oldestLsn = value;
                            else
                                delete message.oldestLsn;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.newestLsn = value;
                            else
                                delete message.newestLsn;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Welcome;
        })();

        v1.Resync = (function() {

            /**
             * Properties of a Resync.
             * @typedef {Object} fsjournal.v1.Resync.$Properties
             * @property {fsjournal.v1.Resync.Reason|null} [reason] Resync reason
             * @property {string|null} [detail] Resync detail
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Resync.
             * @memberof fsjournal.v1
             * @interface IResync
             * @augments fsjournal.v1.Resync.$Properties
             * @deprecated Use fsjournal.v1.Resync.$Properties instead.
             */

            /**
             * Shape of a Resync.
             * @typedef {fsjournal.v1.Resync.$Properties} fsjournal.v1.Resync.$Shape
             */

            /**
             * Constructs a new Resync.
             * @memberof fsjournal.v1
             * @classdesc Represents a Resync.
             * @constructor
             * @param {fsjournal.v1.Resync.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Resync = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Resync reason.
             * @member {fsjournal.v1.Resync.Reason} reason
             * @memberof fsjournal.v1.Resync
             * @instance
             */
            Resync.prototype.reason = 0;

            /**
             * Resync detail.
             * @member {string} detail
             * @memberof fsjournal.v1.Resync
             * @instance
             */
            Resync.prototype.detail = "";

            /**
             * Creates a new Resync instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Resync
             * @static
             * @param {fsjournal.v1.Resync.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Resync} Resync instance
             * @type {{
             *   (properties: fsjournal.v1.Resync.$Shape): fsjournal.v1.Resync & fsjournal.v1.Resync.$Shape;
             *   (properties?: fsjournal.v1.Resync.$Properties): fsjournal.v1.Resync;
             * }}
             */
            Resync.create = function(properties) {
                return new Resync(properties);
            };

            /**
             * Encodes the specified Resync message. Does not implicitly {@link fsjournal.v1.Resync.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Resync
             * @static
             * @param {fsjournal.v1.Resync.$Properties} message Resync message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Resync.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.reason);
                if (message.detail != null && $Object.hasOwnProperty.call(message, "detail") && message.detail !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.detail);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Resync message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Resync
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Resync & fsjournal.v1.Resync.$Shape} Resync
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Resync.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Resync();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.reason = value;
                            else
                                delete message.reason;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.detail = value;
                            else
                                delete message.detail;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Reason enum.
             * @name fsjournal.v1.Resync.Reason
             * @enum {number}
             * @property {number} REASON_UNSPECIFIED=0 REASON_UNSPECIFIED value
             * @property {number} REASON_NEW_REPLICA=1 REASON_NEW_REPLICA value
             * @property {number} REASON_JOURNAL_ID_MISMATCH=2 REASON_JOURNAL_ID_MISMATCH value
             * @property {number} REASON_BEHIND_RETENTION=3 REASON_BEHIND_RETENTION value
             * @property {number} REASON_AHEAD_OF_PRIMARY=4 REASON_AHEAD_OF_PRIMARY value
             */
            Resync.Reason = (function() {
                const valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "REASON_UNSPECIFIED"] = 0;
                values[valuesById[1] = "REASON_NEW_REPLICA"] = 1;
                values[valuesById[2] = "REASON_JOURNAL_ID_MISMATCH"] = 2;
                values[valuesById[3] = "REASON_BEHIND_RETENTION"] = 3;
                values[valuesById[4] = "REASON_AHEAD_OF_PRIMARY"] = 4;
                return values;
            })();

            return Resync;
        })();

        v1.Batch = (function() {

            /**
             * Properties of a Batch.
             * @typedef {Object} fsjournal.v1.Batch.$Properties
             * @property {number|Long|null} [firstLsn] Batch firstLsn
             * @property {number|Long|null} [prevLsn] Batch prevLsn
             * @property {Array.<Uint8Array>|null} [frames] Batch frames
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Batch.
             * @memberof fsjournal.v1
             * @interface IBatch
             * @augments fsjournal.v1.Batch.$Properties
             * @deprecated Use fsjournal.v1.Batch.$Properties instead.
             */

            /**
             * Shape of a Batch.
             * @typedef {fsjournal.v1.Batch.$Properties} fsjournal.v1.Batch.$Shape
             */

            /**
             * Constructs a new Batch.
             * @memberof fsjournal.v1
             * @classdesc Represents a Batch.
             * @constructor
             * @param {fsjournal.v1.Batch.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Batch = function (properties) {
                this.frames = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Batch firstLsn.
             * @member {number|Long} firstLsn
             * @memberof fsjournal.v1.Batch
             * @instance
             */
            Batch.prototype.firstLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Batch prevLsn.
             * @member {number|Long} prevLsn
             * @memberof fsjournal.v1.Batch
             * @instance
             */
            Batch.prototype.prevLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Batch frames.
             * @member {Array.<Uint8Array>} frames
             * @memberof fsjournal.v1.Batch
             * @instance
             */
            Batch.prototype.frames = $util.emptyArray;

            /**
             * Creates a new Batch instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Batch
             * @static
             * @param {fsjournal.v1.Batch.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Batch} Batch instance
             * @type {{
             *   (properties: fsjournal.v1.Batch.$Shape): fsjournal.v1.Batch & fsjournal.v1.Batch.$Shape;
             *   (properties?: fsjournal.v1.Batch.$Properties): fsjournal.v1.Batch;
             * }}
             */
            Batch.create = function(properties) {
                return new Batch(properties);
            };

            /**
             * Encodes the specified Batch message. Does not implicitly {@link fsjournal.v1.Batch.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Batch
             * @static
             * @param {fsjournal.v1.Batch.$Properties} message Batch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Batch.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.firstLsn != null && $Object.hasOwnProperty.call(message, "firstLsn") && (typeof message.firstLsn === "object" ? message.firstLsn.low || message.firstLsn.high : message.firstLsn !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.firstLsn);
                if (message.prevLsn != null && $Object.hasOwnProperty.call(message, "prevLsn") && (typeof message.prevLsn === "object" ? message.prevLsn.low || message.prevLsn.high : message.prevLsn !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.prevLsn);
                if (message.frames != null && message.frames.length)
                    for (let i = 0; i < message.frames.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.frames[i]);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Batch message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Batch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Batch & fsjournal.v1.Batch.$Shape} Batch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Batch.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Batch();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.firstLsn = value;
                            else
                                delete message.firstLsn;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.prevLsn = value;
                            else
                                delete message.prevLsn;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if (!(message.frames && message.frames.length))
                                message.frames = [];
                            message.frames.push(reader.bytes());
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Batch;
        })();

        v1.Ack = (function() {

            /**
             * Properties of an Ack.
             * @typedef {Object} fsjournal.v1.Ack.$Properties
             * @property {number|Long|null} [appliedLsn] Ack appliedLsn
             * @property {number|Long|null} [durableLsn] Ack durableLsn
             * @property {number|Long|null} [receivedLsn] Ack receivedLsn
             * @property {number|Long|null} [snapshotSeq] Ack snapshotSeq
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Ack.
             * @memberof fsjournal.v1
             * @interface IAck
             * @augments fsjournal.v1.Ack.$Properties
             * @deprecated Use fsjournal.v1.Ack.$Properties instead.
             */

            /**
             * Shape of an Ack.
             * @typedef {fsjournal.v1.Ack.$Properties} fsjournal.v1.Ack.$Shape
             */

            /**
             * Constructs a new Ack.
             * @memberof fsjournal.v1
             * @classdesc Represents an Ack.
             * @constructor
             * @param {fsjournal.v1.Ack.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Ack = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Ack appliedLsn.
             * @member {number|Long} appliedLsn
             * @memberof fsjournal.v1.Ack
             * @instance
             */
            Ack.prototype.appliedLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Ack durableLsn.
             * @member {number|Long} durableLsn
             * @memberof fsjournal.v1.Ack
             * @instance
             */
            Ack.prototype.durableLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Ack receivedLsn.
             * @member {number|Long} receivedLsn
             * @memberof fsjournal.v1.Ack
             * @instance
             */
            Ack.prototype.receivedLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Ack snapshotSeq.
             * @member {number|Long} snapshotSeq
             * @memberof fsjournal.v1.Ack
             * @instance
             */
            Ack.prototype.snapshotSeq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Ack instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Ack
             * @static
             * @param {fsjournal.v1.Ack.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Ack} Ack instance
             * @type {{
             *   (properties: fsjournal.v1.Ack.$Shape): fsjournal.v1.Ack & fsjournal.v1.Ack.$Shape;
             *   (properties?: fsjournal.v1.Ack.$Properties): fsjournal.v1.Ack;
             * }}
             */
            Ack.create = function(properties) {
                return new Ack(properties);
            };

            /**
             * Encodes the specified Ack message. Does not implicitly {@link fsjournal.v1.Ack.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Ack
             * @static
             * @param {fsjournal.v1.Ack.$Properties} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.appliedLsn != null && $Object.hasOwnProperty.call(message, "appliedLsn") && (typeof message.appliedLsn === "object" ? message.appliedLsn.low || message.appliedLsn.high : message.appliedLsn !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.appliedLsn);
                if (message.durableLsn != null && $Object.hasOwnProperty.call(message, "durableLsn") && (typeof message.durableLsn === "object" ? message.durableLsn.low || message.durableLsn.high : message.durableLsn !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.durableLsn);
                if (message.receivedLsn != null && $Object.hasOwnProperty.call(message, "receivedLsn") && (typeof message.receivedLsn === "object" ? message.receivedLsn.low || message.receivedLsn.high : message.receivedLsn !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.receivedLsn);
                if (message.snapshotSeq != null && $Object.hasOwnProperty.call(message, "snapshotSeq") && (typeof message.snapshotSeq === "object" ? message.snapshotSeq.low || message.snapshotSeq.high : message.snapshotSeq !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.snapshotSeq);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Ack & fsjournal.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Ack();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.appliedLsn = value;
                            else
                                delete message.appliedLsn;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.durableLsn = value;
                            else
                                delete message.durableLsn;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.receivedLsn = value;
                            else
                                delete message.receivedLsn;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.snapshotSeq = value;
                            else
                                delete message.snapshotSeq;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Ack;
        })();

        v1.Heartbeat = (function() {

            /**
             * Properties of a Heartbeat.
             * @typedef {Object} fsjournal.v1.Heartbeat.$Properties
             * @property {number|Long|null} [timeMs] Heartbeat timeMs
             * @property {number|Long|null} [newestLsn] Heartbeat newestLsn
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Heartbeat.
             * @memberof fsjournal.v1
             * @interface IHeartbeat
             * @augments fsjournal.v1.Heartbeat.$Properties
             * @deprecated Use fsjournal.v1.Heartbeat.$Properties instead.
             */

            /**
             * Shape of a Heartbeat.
             * @typedef {fsjournal.v1.Heartbeat.$Properties} fsjournal.v1.Heartbeat.$Shape
             */

            /**
             * Constructs a new Heartbeat.
             * @memberof fsjournal.v1
             * @classdesc Represents a Heartbeat.
             * @constructor
             * @param {fsjournal.v1.Heartbeat.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Heartbeat = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Heartbeat timeMs.
             * @member {number|Long} timeMs
             * @memberof fsjournal.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.timeMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Heartbeat newestLsn.
             * @member {number|Long} newestLsn
             * @memberof fsjournal.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.newestLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Heartbeat instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.Heartbeat
             * @static
             * @param {fsjournal.v1.Heartbeat.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.Heartbeat} Heartbeat instance
             * @type {{
             *   (properties: fsjournal.v1.Heartbeat.$Shape): fsjournal.v1.Heartbeat & fsjournal.v1.Heartbeat.$Shape;
             *   (properties?: fsjournal.v1.Heartbeat.$Properties): fsjournal.v1.Heartbeat;
             * }}
             */
            Heartbeat.create = function(properties) {
                return new Heartbeat(properties);
            };

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link fsjournal.v1.Heartbeat.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.Heartbeat
             * @static
             * @param {fsjournal.v1.Heartbeat.$Properties} message Heartbeat message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Heartbeat.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.timeMs != null && $Object.hasOwnProperty.call(message, "timeMs") && (typeof message.timeMs === "object" ? message.timeMs.low || message.timeMs.high : message.timeMs !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.timeMs);
                if (message.newestLsn != null && $Object.hasOwnProperty.call(message, "newestLsn") && (typeof message.newestLsn === "object" ? message.newestLsn.low || message.newestLsn.high : message.newestLsn !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.newestLsn);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.Heartbeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.Heartbeat & fsjournal.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Heartbeat.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.Heartbeat();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                message.timeMs = value;
                            else
                                delete message.timeMs;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.newestLsn = value;
                            else
                                delete message.newestLsn;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Heartbeat;
        })();

        v1.StreamError = (function() {

            /**
             * Properties of a StreamError.
             * @typedef {Object} fsjournal.v1.StreamError.$Properties
             * @property {string|null} [code] StreamError code
             * @property {string|null} [message] StreamError message
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a StreamError.
             * @memberof fsjournal.v1
             * @interface IStreamError
             * @augments fsjournal.v1.StreamError.$Properties
             * @deprecated Use fsjournal.v1.StreamError.$Properties instead.
             */

            /**
             * Shape of a StreamError.
             * @typedef {fsjournal.v1.StreamError.$Properties} fsjournal.v1.StreamError.$Shape
             */

            /**
             * Constructs a new StreamError.
             * @memberof fsjournal.v1
             * @classdesc Represents a StreamError.
             * @constructor
             * @param {fsjournal.v1.StreamError.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const StreamError = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * StreamError code.
             * @member {string} code
             * @memberof fsjournal.v1.StreamError
             * @instance
             */
            StreamError.prototype.code = "";

            /**
             * StreamError message.
             * @member {string} message
             * @memberof fsjournal.v1.StreamError
             * @instance
             */
            StreamError.prototype.message = "";

            /**
             * Creates a new StreamError instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.StreamError
             * @static
             * @param {fsjournal.v1.StreamError.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.StreamError} StreamError instance
             * @type {{
             *   (properties: fsjournal.v1.StreamError.$Shape): fsjournal.v1.StreamError & fsjournal.v1.StreamError.$Shape;
             *   (properties?: fsjournal.v1.StreamError.$Properties): fsjournal.v1.StreamError;
             * }}
             */
            StreamError.create = function(properties) {
                return new StreamError(properties);
            };

            /**
             * Encodes the specified StreamError message. Does not implicitly {@link fsjournal.v1.StreamError.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.StreamError
             * @static
             * @param {fsjournal.v1.StreamError.$Properties} message StreamError message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            StreamError.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.code != null && $Object.hasOwnProperty.call(message, "code") && message.code !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.code);
                if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.message);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a StreamError message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.StreamError
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.StreamError & fsjournal.v1.StreamError.$Shape} StreamError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            StreamError.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.StreamError();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.code = value;
                            else
                                delete message.code;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.message = value;
                            else
                                delete message.message;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return StreamError;
        })();

        v1.SnapshotTxn = (function() {

            /**
             * Properties of a SnapshotTxn.
             * @typedef {Object} fsjournal.v1.SnapshotTxn.$Properties
             * @property {number|Long|null} [txn] SnapshotTxn txn
             * @property {number|Long|null} [beginLsn] SnapshotTxn beginLsn
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotTxn.
             * @memberof fsjournal.v1
             * @interface ISnapshotTxn
             * @augments fsjournal.v1.SnapshotTxn.$Properties
             * @deprecated Use fsjournal.v1.SnapshotTxn.$Properties instead.
             */

            /**
             * Shape of a SnapshotTxn.
             * @typedef {fsjournal.v1.SnapshotTxn.$Properties} fsjournal.v1.SnapshotTxn.$Shape
             */

            /**
             * Constructs a new SnapshotTxn.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotTxn.
             * @constructor
             * @param {fsjournal.v1.SnapshotTxn.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotTxn = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotTxn txn.
             * @member {number|Long} txn
             * @memberof fsjournal.v1.SnapshotTxn
             * @instance
             */
            SnapshotTxn.prototype.txn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotTxn beginLsn.
             * @member {number|Long} beginLsn
             * @memberof fsjournal.v1.SnapshotTxn
             * @instance
             */
            SnapshotTxn.prototype.beginLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new SnapshotTxn instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotTxn
             * @static
             * @param {fsjournal.v1.SnapshotTxn.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotTxn} SnapshotTxn instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotTxn.$Shape): fsjournal.v1.SnapshotTxn & fsjournal.v1.SnapshotTxn.$Shape;
             *   (properties?: fsjournal.v1.SnapshotTxn.$Properties): fsjournal.v1.SnapshotTxn;
             * }}
             */
            SnapshotTxn.create = function(properties) {
                return new SnapshotTxn(properties);
            };

            /**
             * Encodes the specified SnapshotTxn message. Does not implicitly {@link fsjournal.v1.SnapshotTxn.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotTxn
             * @static
             * @param {fsjournal.v1.SnapshotTxn.$Properties} message SnapshotTxn message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotTxn.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.txn != null && $Object.hasOwnProperty.call(message, "txn") && (typeof message.txn === "object" ? message.txn.low || message.txn.high : message.txn !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.txn);
                if (message.beginLsn != null && $Object.hasOwnProperty.call(message, "beginLsn") && (typeof message.beginLsn === "object" ? message.beginLsn.low || message.beginLsn.high : message.beginLsn !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.beginLsn);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotTxn message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotTxn
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotTxn & fsjournal.v1.SnapshotTxn.$Shape} SnapshotTxn
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotTxn.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotTxn();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.txn = value;
                            else
                                delete message.txn;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.beginLsn = value;
                            else
                                delete message.beginLsn;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotTxn;
        })();

        v1.SnapshotEntry = (function() {

            /**
             * Properties of a SnapshotEntry.
             * @typedef {Object} fsjournal.v1.SnapshotEntry.$Properties
             * @property {fsjournal.v1.SnapshotEntry.Type|null} [type] SnapshotEntry type
             * @property {string|null} [path] SnapshotEntry path
             * @property {number|null} [mode] SnapshotEntry mode
             * @property {number|null} [uid] SnapshotEntry uid
             * @property {number|null} [gid] SnapshotEntry gid
             * @property {fsjournal.v1.Timespec.$Properties|null} [atime] SnapshotEntry atime
             * @property {fsjournal.v1.Timespec.$Properties|null} [mtime] SnapshotEntry mtime
             * @property {number|Long|null} [size] SnapshotEntry size
             * @property {number|Long|null} [blocks] SnapshotEntry blocks
             * @property {string|null} [target] SnapshotEntry target
             * @property {string|null} [linkTo] SnapshotEntry linkTo
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotEntry.
             * @memberof fsjournal.v1
             * @interface ISnapshotEntry
             * @augments fsjournal.v1.SnapshotEntry.$Properties
             * @deprecated Use fsjournal.v1.SnapshotEntry.$Properties instead.
             */

            /**
             * Shape of a SnapshotEntry.
             * @typedef {fsjournal.v1.SnapshotEntry.$Properties} fsjournal.v1.SnapshotEntry.$Shape
             */

            /**
             * Constructs a new SnapshotEntry.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotEntry.
             * @constructor
             * @param {fsjournal.v1.SnapshotEntry.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotEntry = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotEntry type.
             * @member {fsjournal.v1.SnapshotEntry.Type} type
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.type = 0;

            /**
             * SnapshotEntry path.
             * @member {string} path
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.path = "";

            /**
             * SnapshotEntry mode.
             * @member {number} mode
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.mode = 0;

            /**
             * SnapshotEntry uid.
             * @member {number} uid
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.uid = 0;

            /**
             * SnapshotEntry gid.
             * @member {number} gid
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.gid = 0;

            /**
             * SnapshotEntry atime.
             * @member {fsjournal.v1.Timespec.$Properties|null|undefined} atime
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.atime = null;

            /**
             * SnapshotEntry mtime.
             * @member {fsjournal.v1.Timespec.$Properties|null|undefined} mtime
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.mtime = null;

            /**
             * SnapshotEntry size.
             * @member {number|Long} size
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.size = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotEntry blocks.
             * @member {number|Long} blocks
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.blocks = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotEntry target.
             * @member {string} target
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.target = "";

            /**
             * SnapshotEntry linkTo.
             * @member {string} linkTo
             * @memberof fsjournal.v1.SnapshotEntry
             * @instance
             */
            SnapshotEntry.prototype.linkTo = "";

            /**
             * Creates a new SnapshotEntry instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotEntry
             * @static
             * @param {fsjournal.v1.SnapshotEntry.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotEntry} SnapshotEntry instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotEntry.$Shape): fsjournal.v1.SnapshotEntry & fsjournal.v1.SnapshotEntry.$Shape;
             *   (properties?: fsjournal.v1.SnapshotEntry.$Properties): fsjournal.v1.SnapshotEntry;
             * }}
             */
            SnapshotEntry.create = function(properties) {
                return new SnapshotEntry(properties);
            };

            /**
             * Encodes the specified SnapshotEntry message. Does not implicitly {@link fsjournal.v1.SnapshotEntry.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotEntry
             * @static
             * @param {fsjournal.v1.SnapshotEntry.$Properties} message SnapshotEntry message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotEntry.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.type != null && $Object.hasOwnProperty.call(message, "type") && message.type !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.type);
                if (message.path != null && $Object.hasOwnProperty.call(message, "path") && message.path !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.path);
                if (message.mode != null && $Object.hasOwnProperty.call(message, "mode") && message.mode !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.mode);
                if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && message.uid !== 0)
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.uid);
                if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && message.gid !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.gid);
                if (message.atime != null && $Object.hasOwnProperty.call(message, "atime"))
                    $root.fsjournal.v1.Timespec.encode(message.atime, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.mtime != null && $Object.hasOwnProperty.call(message, "mtime"))
                    $root.fsjournal.v1.Timespec.encode(message.mtime, writer.uint32(/* id 7, wireType 2 =*/58).fork(), _depth + 1).ldelim();
                if (message.size != null && $Object.hasOwnProperty.call(message, "size") && (typeof message.size === "object" ? message.size.low || message.size.high : message.size !== 0))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.size);
                if (message.blocks != null && $Object.hasOwnProperty.call(message, "blocks") && (typeof message.blocks === "object" ? message.blocks.low || message.blocks.high : message.blocks !== 0))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.blocks);
                if (message.target != null && $Object.hasOwnProperty.call(message, "target") && message.target !== "")
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.target);
                if (message.linkTo != null && $Object.hasOwnProperty.call(message, "linkTo") && message.linkTo !== "")
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.linkTo);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotEntry message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotEntry
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotEntry & fsjournal.v1.SnapshotEntry.$Shape} SnapshotEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotEntry.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotEntry();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.type = value;
                            else
                                delete message.type;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.path = value;
                            else
                                delete message.path;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.mode = value;
                            else
                                delete message.mode;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.uid = value;
                            else
                                delete message.uid;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.gid = value;
                            else
                                delete message.gid;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.atime = $root.fsjournal.v1.Timespec.decode(reader, reader.size(), $undefined, _depth + 1, message.atime);
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            message.mtime = $root.fsjournal.v1.Timespec.decode(reader, reader.size(), $undefined, _depth + 1, message.mtime);
                            continue;
                        }
                    case 8: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.size = value;
                            else
                                delete message.size;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.blocks = value;
                            else
                                delete message.blocks;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.target = value;
                            else
                                delete message.target;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.linkTo = value;
                            else
                                delete message.linkTo;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Type enum.
             * @name fsjournal.v1.SnapshotEntry.Type
             * @enum {number}
             * @property {number} TYPE_UNSPECIFIED=0 TYPE_UNSPECIFIED value
             * @property {number} TYPE_DIR=1 TYPE_DIR value
             * @property {number} TYPE_FILE=2 TYPE_FILE value
             * @property {number} TYPE_SYMLINK=3 TYPE_SYMLINK value
             * @property {number} TYPE_HARDLINK=4 TYPE_HARDLINK value
             */
            SnapshotEntry.Type = (function() {
                const valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "TYPE_UNSPECIFIED"] = 0;
                values[valuesById[1] = "TYPE_DIR"] = 1;
                values[valuesById[2] = "TYPE_FILE"] = 2;
                values[valuesById[3] = "TYPE_SYMLINK"] = 3;
                values[valuesById[4] = "TYPE_HARDLINK"] = 4;
                return values;
            })();

            return SnapshotEntry;
        })();

        v1.SnapshotBlock = (function() {

            /**
             * Properties of a SnapshotBlock.
             * @typedef {Object} fsjournal.v1.SnapshotBlock.$Properties
             * @property {number|Long|null} [index] SnapshotBlock index
             * @property {Uint8Array|null} [sha256] SnapshotBlock sha256
             * @property {Uint8Array|null} [data] SnapshotBlock data
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotBlock.
             * @memberof fsjournal.v1
             * @interface ISnapshotBlock
             * @augments fsjournal.v1.SnapshotBlock.$Properties
             * @deprecated Use fsjournal.v1.SnapshotBlock.$Properties instead.
             */

            /**
             * Shape of a SnapshotBlock.
             * @typedef {fsjournal.v1.SnapshotBlock.$Properties} fsjournal.v1.SnapshotBlock.$Shape
             */

            /**
             * Constructs a new SnapshotBlock.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotBlock.
             * @constructor
             * @param {fsjournal.v1.SnapshotBlock.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotBlock = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotBlock index.
             * @member {number|Long} index
             * @memberof fsjournal.v1.SnapshotBlock
             * @instance
             */
            SnapshotBlock.prototype.index = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBlock sha256.
             * @member {Uint8Array} sha256
             * @memberof fsjournal.v1.SnapshotBlock
             * @instance
             */
            SnapshotBlock.prototype.sha256 = $util.newBuffer([]);

            /**
             * SnapshotBlock data.
             * @member {Uint8Array} data
             * @memberof fsjournal.v1.SnapshotBlock
             * @instance
             */
            SnapshotBlock.prototype.data = $util.newBuffer([]);

            /**
             * Creates a new SnapshotBlock instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotBlock
             * @static
             * @param {fsjournal.v1.SnapshotBlock.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotBlock} SnapshotBlock instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotBlock.$Shape): fsjournal.v1.SnapshotBlock & fsjournal.v1.SnapshotBlock.$Shape;
             *   (properties?: fsjournal.v1.SnapshotBlock.$Properties): fsjournal.v1.SnapshotBlock;
             * }}
             */
            SnapshotBlock.create = function(properties) {
                return new SnapshotBlock(properties);
            };

            /**
             * Encodes the specified SnapshotBlock message. Does not implicitly {@link fsjournal.v1.SnapshotBlock.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotBlock
             * @static
             * @param {fsjournal.v1.SnapshotBlock.$Properties} message SnapshotBlock message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotBlock.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.index != null && $Object.hasOwnProperty.call(message, "index") && (typeof message.index === "object" ? message.index.low || message.index.high : message.index !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.index);
                if (message.sha256 != null && $Object.hasOwnProperty.call(message, "sha256") && message.sha256.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.sha256);
                if (message.data != null && $Object.hasOwnProperty.call(message, "data") && message.data.length)
                    writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.data);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotBlock message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotBlock
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotBlock & fsjournal.v1.SnapshotBlock.$Shape} SnapshotBlock
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotBlock.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotBlock();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.index = value;
                            else
                                delete message.index;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.sha256 = value;
                            else
                                delete message.sha256;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.data = value;
                            else
                                delete message.data;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotBlock;
        })();

        v1.SnapshotItem = (function() {

            /**
             * Properties of a SnapshotItem.
             * @typedef {Object} fsjournal.v1.SnapshotItem.$Properties
             * @property {fsjournal.v1.SnapshotEntry.$Properties|null} [entry] SnapshotItem entry
             * @property {fsjournal.v1.SnapshotBlock.$Properties|null} [block] SnapshotItem block
             * @property {"entry"|"block"} [item] SnapshotItem item
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotItem.
             * @memberof fsjournal.v1
             * @interface ISnapshotItem
             * @augments fsjournal.v1.SnapshotItem.$Properties
             * @deprecated Use fsjournal.v1.SnapshotItem.$Properties instead.
             */

            /**
             * Narrowed shape of a SnapshotItem.
             * @typedef {{
             *   entry?: fsjournal.v1.SnapshotEntry.$Shape|null;
             *   block?: fsjournal.v1.SnapshotBlock.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ item?: undefined; entry?: null; block?: null }|{ item?: "entry"; entry: fsjournal.v1.SnapshotEntry.$Shape; block?: null }|{ item?: "block"; entry?: null; block: fsjournal.v1.SnapshotBlock.$Shape })
             * )} fsjournal.v1.SnapshotItem.$Shape
             */

            /**
             * Constructs a new SnapshotItem.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotItem.
             * @constructor
             * @param {fsjournal.v1.SnapshotItem.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotItem = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotItem entry.
             * @member {fsjournal.v1.SnapshotEntry.$Properties|null|undefined} entry
             * @memberof fsjournal.v1.SnapshotItem
             * @instance
             */
            SnapshotItem.prototype.entry = null;

            /**
             * SnapshotItem block.
             * @member {fsjournal.v1.SnapshotBlock.$Properties|null|undefined} block
             * @memberof fsjournal.v1.SnapshotItem
             * @instance
             */
            SnapshotItem.prototype.block = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * SnapshotItem item.
             * @member {"entry"|"block"|undefined} item
             * @memberof fsjournal.v1.SnapshotItem
             * @instance
             */
            $Object.defineProperty(SnapshotItem.prototype, "item", {
                get: $util.oneOfGetter($oneOfFields = ["entry", "block"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new SnapshotItem instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotItem
             * @static
             * @param {fsjournal.v1.SnapshotItem.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotItem} SnapshotItem instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotItem.$Shape): fsjournal.v1.SnapshotItem & fsjournal.v1.SnapshotItem.$Shape;
             *   (properties?: fsjournal.v1.SnapshotItem.$Properties): fsjournal.v1.SnapshotItem;
             * }}
             */
            SnapshotItem.create = function(properties) {
                return new SnapshotItem(properties);
            };

            /**
             * Encodes the specified SnapshotItem message. Does not implicitly {@link fsjournal.v1.SnapshotItem.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotItem
             * @static
             * @param {fsjournal.v1.SnapshotItem.$Properties} message SnapshotItem message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotItem.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.entry != null && $Object.hasOwnProperty.call(message, "entry"))
                    $root.fsjournal.v1.SnapshotEntry.encode(message.entry, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.block != null && $Object.hasOwnProperty.call(message, "block"))
                    $root.fsjournal.v1.SnapshotBlock.encode(message.block, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotItem message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotItem
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotItem & fsjournal.v1.SnapshotItem.$Shape} SnapshotItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotItem.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotItem();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.entry = $root.fsjournal.v1.SnapshotEntry.decode(reader, reader.size(), $undefined, _depth + 1, message.entry);
                            message.item = "entry";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.block = $root.fsjournal.v1.SnapshotBlock.decode(reader, reader.size(), $undefined, _depth + 1, message.block);
                            message.item = "block";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotItem;
        })();

        v1.SnapshotBegin = (function() {

            /**
             * Properties of a SnapshotBegin.
             * @typedef {Object} fsjournal.v1.SnapshotBegin.$Properties
             * @property {fsjournal.v1.ProtocolVersion|null} [protocolVersion] SnapshotBegin protocolVersion
             * @property {string|null} [journalId] SnapshotBegin journalId
             * @property {string|null} [checkpointId] SnapshotBegin checkpointId
             * @property {number|Long|null} [lsn] SnapshotBegin lsn
             * @property {number|Long|null} [replayFromLsn] SnapshotBegin replayFromLsn
             * @property {Array.<fsjournal.v1.SnapshotTxn.$Properties>|null} [openTxns] SnapshotBegin openTxns
             * @property {number|Long|null} [entries] SnapshotBegin entries
             * @property {number|Long|null} [files] SnapshotBegin files
             * @property {number|Long|null} [bytes] SnapshotBegin bytes
             * @property {number|null} [blockBytes] SnapshotBegin blockBytes
             * @property {fsjournal.v1.SnapshotEntry.$Properties|null} [root] SnapshotBegin root
             * @property {number|Long|null} [oldestLsn] SnapshotBegin oldestLsn
             * @property {number|Long|null} [newestLsn] SnapshotBegin newestLsn
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotBegin.
             * @memberof fsjournal.v1
             * @interface ISnapshotBegin
             * @augments fsjournal.v1.SnapshotBegin.$Properties
             * @deprecated Use fsjournal.v1.SnapshotBegin.$Properties instead.
             */

            /**
             * Shape of a SnapshotBegin.
             * @typedef {fsjournal.v1.SnapshotBegin.$Properties} fsjournal.v1.SnapshotBegin.$Shape
             */

            /**
             * Constructs a new SnapshotBegin.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotBegin.
             * @constructor
             * @param {fsjournal.v1.SnapshotBegin.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotBegin = function (properties) {
                this.openTxns = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotBegin protocolVersion.
             * @member {fsjournal.v1.ProtocolVersion} protocolVersion
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.protocolVersion = 0;

            /**
             * SnapshotBegin journalId.
             * @member {string} journalId
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.journalId = "";

            /**
             * SnapshotBegin checkpointId.
             * @member {string} checkpointId
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.checkpointId = "";

            /**
             * SnapshotBegin lsn.
             * @member {number|Long} lsn
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.lsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin replayFromLsn.
             * @member {number|Long} replayFromLsn
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.replayFromLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin openTxns.
             * @member {Array.<fsjournal.v1.SnapshotTxn.$Properties>} openTxns
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.openTxns = $util.emptyArray;

            /**
             * SnapshotBegin entries.
             * @member {number|Long} entries
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.entries = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin files.
             * @member {number|Long} files
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.files = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin bytes.
             * @member {number|Long} bytes
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.bytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin blockBytes.
             * @member {number} blockBytes
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.blockBytes = 0;

            /**
             * SnapshotBegin root.
             * @member {fsjournal.v1.SnapshotEntry.$Properties|null|undefined} root
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.root = null;

            /**
             * SnapshotBegin oldestLsn.
             * @member {number|Long} oldestLsn
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.oldestLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotBegin newestLsn.
             * @member {number|Long} newestLsn
             * @memberof fsjournal.v1.SnapshotBegin
             * @instance
             */
            SnapshotBegin.prototype.newestLsn = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new SnapshotBegin instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotBegin
             * @static
             * @param {fsjournal.v1.SnapshotBegin.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotBegin} SnapshotBegin instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotBegin.$Shape): fsjournal.v1.SnapshotBegin & fsjournal.v1.SnapshotBegin.$Shape;
             *   (properties?: fsjournal.v1.SnapshotBegin.$Properties): fsjournal.v1.SnapshotBegin;
             * }}
             */
            SnapshotBegin.create = function(properties) {
                return new SnapshotBegin(properties);
            };

            /**
             * Encodes the specified SnapshotBegin message. Does not implicitly {@link fsjournal.v1.SnapshotBegin.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotBegin
             * @static
             * @param {fsjournal.v1.SnapshotBegin.$Properties} message SnapshotBegin message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotBegin.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.protocolVersion != null && $Object.hasOwnProperty.call(message, "protocolVersion") && message.protocolVersion !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.protocolVersion);
                if (message.journalId != null && $Object.hasOwnProperty.call(message, "journalId") && message.journalId !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.journalId);
                if (message.checkpointId != null && $Object.hasOwnProperty.call(message, "checkpointId") && message.checkpointId !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.checkpointId);
                if (message.lsn != null && $Object.hasOwnProperty.call(message, "lsn") && (typeof message.lsn === "object" ? message.lsn.low || message.lsn.high : message.lsn !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.lsn);
                if (message.replayFromLsn != null && $Object.hasOwnProperty.call(message, "replayFromLsn") && (typeof message.replayFromLsn === "object" ? message.replayFromLsn.low || message.replayFromLsn.high : message.replayFromLsn !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.replayFromLsn);
                if (message.openTxns != null && message.openTxns.length)
                    for (let i = 0; i < message.openTxns.length; ++i)
                        $root.fsjournal.v1.SnapshotTxn.encode(message.openTxns[i], writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.entries != null && $Object.hasOwnProperty.call(message, "entries") && (typeof message.entries === "object" ? message.entries.low || message.entries.high : message.entries !== 0))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.entries);
                if (message.files != null && $Object.hasOwnProperty.call(message, "files") && (typeof message.files === "object" ? message.files.low || message.files.high : message.files !== 0))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.files);
                if (message.bytes != null && $Object.hasOwnProperty.call(message, "bytes") && (typeof message.bytes === "object" ? message.bytes.low || message.bytes.high : message.bytes !== 0))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.bytes);
                if (message.blockBytes != null && $Object.hasOwnProperty.call(message, "blockBytes") && message.blockBytes !== 0)
                    writer.uint32(/* id 10, wireType 0 =*/80).uint32(message.blockBytes);
                if (message.root != null && $Object.hasOwnProperty.call(message, "root"))
                    $root.fsjournal.v1.SnapshotEntry.encode(message.root, writer.uint32(/* id 11, wireType 2 =*/90).fork(), _depth + 1).ldelim();
                if (message.oldestLsn != null && $Object.hasOwnProperty.call(message, "oldestLsn") && (typeof message.oldestLsn === "object" ? message.oldestLsn.low || message.oldestLsn.high : message.oldestLsn !== 0))
                    writer.uint32(/* id 12, wireType 0 =*/96).uint64(message.oldestLsn);
                if (message.newestLsn != null && $Object.hasOwnProperty.call(message, "newestLsn") && (typeof message.newestLsn === "object" ? message.newestLsn.low || message.newestLsn.high : message.newestLsn !== 0))
                    writer.uint32(/* id 13, wireType 0 =*/104).uint64(message.newestLsn);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotBegin message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotBegin
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotBegin & fsjournal.v1.SnapshotBegin.$Shape} SnapshotBegin
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotBegin.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotBegin();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.protocolVersion = value;
                            else
                                delete message.protocolVersion;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.journalId = value;
                            else
                                delete message.journalId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.checkpointId = value;
                            else
                                delete message.checkpointId;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.lsn = value;
                            else
                                delete message.lsn;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.replayFromLsn = value;
                            else
                                delete message.replayFromLsn;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if (!(message.openTxns && message.openTxns.length))
                                message.openTxns = [];
                            message.openTxns.push($root.fsjournal.v1.SnapshotTxn.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.entries = value;
                            else
                                delete message.entries;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.files = value;
                            else
                                delete message.files;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.bytes = value;
                            else
                                delete message.bytes;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.blockBytes = value;
                            else
                                delete message.blockBytes;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            message.root = $root.fsjournal.v1.SnapshotEntry.decode(reader, reader.size(), $undefined, _depth + 1, message.root);
                            continue;
                        }
                    case 12: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.oldestLsn = value;
                            else
                                delete message.oldestLsn;
                            continue;
                        }
                    case 13: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.newestLsn = value;
                            else
                                delete message.newestLsn;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotBegin;
        })();

        v1.SnapshotPiece = (function() {

            /**
             * Properties of a SnapshotPiece.
             * @typedef {Object} fsjournal.v1.SnapshotPiece.$Properties
             * @property {number|Long|null} [seq] SnapshotPiece seq
             * @property {Array.<fsjournal.v1.SnapshotItem.$Properties>|null} [items] SnapshotPiece items
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotPiece.
             * @memberof fsjournal.v1
             * @interface ISnapshotPiece
             * @augments fsjournal.v1.SnapshotPiece.$Properties
             * @deprecated Use fsjournal.v1.SnapshotPiece.$Properties instead.
             */

            /**
             * Shape of a SnapshotPiece.
             * @typedef {{
             *   seq?: number|Long|null;
             *   items?: Array.<fsjournal.v1.SnapshotItem.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} fsjournal.v1.SnapshotPiece.$Shape
             */

            /**
             * Constructs a new SnapshotPiece.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotPiece.
             * @constructor
             * @param {fsjournal.v1.SnapshotPiece.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotPiece = function (properties) {
                this.items = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotPiece seq.
             * @member {number|Long} seq
             * @memberof fsjournal.v1.SnapshotPiece
             * @instance
             */
            SnapshotPiece.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotPiece items.
             * @member {Array.<fsjournal.v1.SnapshotItem.$Properties>} items
             * @memberof fsjournal.v1.SnapshotPiece
             * @instance
             */
            SnapshotPiece.prototype.items = $util.emptyArray;

            /**
             * Creates a new SnapshotPiece instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotPiece
             * @static
             * @param {fsjournal.v1.SnapshotPiece.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotPiece} SnapshotPiece instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotPiece.$Shape): fsjournal.v1.SnapshotPiece & fsjournal.v1.SnapshotPiece.$Shape;
             *   (properties?: fsjournal.v1.SnapshotPiece.$Properties): fsjournal.v1.SnapshotPiece;
             * }}
             */
            SnapshotPiece.create = function(properties) {
                return new SnapshotPiece(properties);
            };

            /**
             * Encodes the specified SnapshotPiece message. Does not implicitly {@link fsjournal.v1.SnapshotPiece.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotPiece
             * @static
             * @param {fsjournal.v1.SnapshotPiece.$Properties} message SnapshotPiece message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotPiece.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.seq);
                if (message.items != null && message.items.length)
                    for (let i = 0; i < message.items.length; ++i)
                        $root.fsjournal.v1.SnapshotItem.encode(message.items[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotPiece message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotPiece
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotPiece & fsjournal.v1.SnapshotPiece.$Shape} SnapshotPiece
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotPiece.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotPiece();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.items && message.items.length))
                                message.items = [];
                            message.items.push($root.fsjournal.v1.SnapshotItem.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotPiece;
        })();

        v1.SnapshotEnd = (function() {

            /**
             * Properties of a SnapshotEnd.
             * @typedef {Object} fsjournal.v1.SnapshotEnd.$Properties
             * @property {number|Long|null} [pieces] SnapshotEnd pieces
             * @property {number|Long|null} [entries] SnapshotEnd entries
             * @property {number|Long|null} [blocks] SnapshotEnd blocks
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a SnapshotEnd.
             * @memberof fsjournal.v1
             * @interface ISnapshotEnd
             * @augments fsjournal.v1.SnapshotEnd.$Properties
             * @deprecated Use fsjournal.v1.SnapshotEnd.$Properties instead.
             */

            /**
             * Shape of a SnapshotEnd.
             * @typedef {fsjournal.v1.SnapshotEnd.$Properties} fsjournal.v1.SnapshotEnd.$Shape
             */

            /**
             * Constructs a new SnapshotEnd.
             * @memberof fsjournal.v1
             * @classdesc Represents a SnapshotEnd.
             * @constructor
             * @param {fsjournal.v1.SnapshotEnd.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const SnapshotEnd = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * SnapshotEnd pieces.
             * @member {number|Long} pieces
             * @memberof fsjournal.v1.SnapshotEnd
             * @instance
             */
            SnapshotEnd.prototype.pieces = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotEnd entries.
             * @member {number|Long} entries
             * @memberof fsjournal.v1.SnapshotEnd
             * @instance
             */
            SnapshotEnd.prototype.entries = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * SnapshotEnd blocks.
             * @member {number|Long} blocks
             * @memberof fsjournal.v1.SnapshotEnd
             * @instance
             */
            SnapshotEnd.prototype.blocks = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new SnapshotEnd instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.SnapshotEnd
             * @static
             * @param {fsjournal.v1.SnapshotEnd.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.SnapshotEnd} SnapshotEnd instance
             * @type {{
             *   (properties: fsjournal.v1.SnapshotEnd.$Shape): fsjournal.v1.SnapshotEnd & fsjournal.v1.SnapshotEnd.$Shape;
             *   (properties?: fsjournal.v1.SnapshotEnd.$Properties): fsjournal.v1.SnapshotEnd;
             * }}
             */
            SnapshotEnd.create = function(properties) {
                return new SnapshotEnd(properties);
            };

            /**
             * Encodes the specified SnapshotEnd message. Does not implicitly {@link fsjournal.v1.SnapshotEnd.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.SnapshotEnd
             * @static
             * @param {fsjournal.v1.SnapshotEnd.$Properties} message SnapshotEnd message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            SnapshotEnd.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.pieces != null && $Object.hasOwnProperty.call(message, "pieces") && (typeof message.pieces === "object" ? message.pieces.low || message.pieces.high : message.pieces !== 0))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.pieces);
                if (message.entries != null && $Object.hasOwnProperty.call(message, "entries") && (typeof message.entries === "object" ? message.entries.low || message.entries.high : message.entries !== 0))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.entries);
                if (message.blocks != null && $Object.hasOwnProperty.call(message, "blocks") && (typeof message.blocks === "object" ? message.blocks.low || message.blocks.high : message.blocks !== 0))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.blocks);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a SnapshotEnd message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.SnapshotEnd
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotEnd & fsjournal.v1.SnapshotEnd.$Shape} SnapshotEnd
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            SnapshotEnd.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.SnapshotEnd();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.pieces = value;
                            else
                                delete message.pieces;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.entries = value;
                            else
                                delete message.entries;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.blocks = value;
                            else
                                delete message.blocks;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return SnapshotEnd;
        })();

        v1.StreamMessage = (function() {

            /**
             * Properties of a StreamMessage.
             * @typedef {Object} fsjournal.v1.StreamMessage.$Properties
             * @property {fsjournal.v1.Hello.$Properties|null} [hello] StreamMessage hello
             * @property {fsjournal.v1.Welcome.$Properties|null} [welcome] StreamMessage welcome
             * @property {fsjournal.v1.Resync.$Properties|null} [resync] StreamMessage resync
             * @property {fsjournal.v1.Batch.$Properties|null} [batch] StreamMessage batch
             * @property {fsjournal.v1.Ack.$Properties|null} [ack] StreamMessage ack
             * @property {fsjournal.v1.Heartbeat.$Properties|null} [heartbeat] StreamMessage heartbeat
             * @property {fsjournal.v1.StreamError.$Properties|null} [error] StreamMessage error
             * @property {fsjournal.v1.SnapshotBegin.$Properties|null} [snapshotBegin] StreamMessage snapshotBegin
             * @property {fsjournal.v1.SnapshotPiece.$Properties|null} [snapshotPiece] StreamMessage snapshotPiece
             * @property {fsjournal.v1.SnapshotEnd.$Properties|null} [snapshotEnd] StreamMessage snapshotEnd
             * @property {"hello"|"welcome"|"resync"|"batch"|"ack"|"heartbeat"|"error"|"snapshotBegin"|"snapshotPiece"|"snapshotEnd"} [body] StreamMessage body
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a StreamMessage.
             * @memberof fsjournal.v1
             * @interface IStreamMessage
             * @augments fsjournal.v1.StreamMessage.$Properties
             * @deprecated Use fsjournal.v1.StreamMessage.$Properties instead.
             */

            /**
             * Narrowed shape of a StreamMessage.
             * @typedef {{
             *   hello?: fsjournal.v1.Hello.$Shape|null;
             *   welcome?: fsjournal.v1.Welcome.$Shape|null;
             *   resync?: fsjournal.v1.Resync.$Shape|null;
             *   batch?: fsjournal.v1.Batch.$Shape|null;
             *   ack?: fsjournal.v1.Ack.$Shape|null;
             *   heartbeat?: fsjournal.v1.Heartbeat.$Shape|null;
             *   error?: fsjournal.v1.StreamError.$Shape|null;
             *   snapshotBegin?: fsjournal.v1.SnapshotBegin.$Shape|null;
             *   snapshotPiece?: fsjournal.v1.SnapshotPiece.$Shape|null;
             *   snapshotEnd?: fsjournal.v1.SnapshotEnd.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ body?: undefined; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "hello"; hello: fsjournal.v1.Hello.$Shape; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "welcome"; hello?: null; welcome: fsjournal.v1.Welcome.$Shape; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "resync"; hello?: null; welcome?: null; resync: fsjournal.v1.Resync.$Shape; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "batch"; hello?: null; welcome?: null; resync?: null; batch: fsjournal.v1.Batch.$Shape; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "ack"; hello?: null; welcome?: null; resync?: null; batch?: null; ack: fsjournal.v1.Ack.$Shape; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "heartbeat"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat: fsjournal.v1.Heartbeat.$Shape; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "error"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error: fsjournal.v1.StreamError.$Shape; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "snapshotBegin"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin: fsjournal.v1.SnapshotBegin.$Shape; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "snapshotPiece"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece: fsjournal.v1.SnapshotPiece.$Shape; snapshotEnd?: null }|{ body?: "snapshotEnd"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd: fsjournal.v1.SnapshotEnd.$Shape })
             * )} fsjournal.v1.StreamMessage.$Shape
             */

            /**
             * Constructs a new StreamMessage.
             * @memberof fsjournal.v1
             * @classdesc Represents a StreamMessage.
             * @constructor
             * @param {fsjournal.v1.StreamMessage.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const StreamMessage = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * StreamMessage hello.
             * @member {fsjournal.v1.Hello.$Properties|null|undefined} hello
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.hello = null;

            /**
             * StreamMessage welcome.
             * @member {fsjournal.v1.Welcome.$Properties|null|undefined} welcome
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.welcome = null;

            /**
             * StreamMessage resync.
             * @member {fsjournal.v1.Resync.$Properties|null|undefined} resync
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.resync = null;

            /**
             * StreamMessage batch.
             * @member {fsjournal.v1.Batch.$Properties|null|undefined} batch
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.batch = null;

            /**
             * StreamMessage ack.
             * @member {fsjournal.v1.Ack.$Properties|null|undefined} ack
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.ack = null;

            /**
             * StreamMessage heartbeat.
             * @member {fsjournal.v1.Heartbeat.$Properties|null|undefined} heartbeat
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.heartbeat = null;

            /**
             * StreamMessage error.
             * @member {fsjournal.v1.StreamError.$Properties|null|undefined} error
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.error = null;

            /**
             * StreamMessage snapshotBegin.
             * @member {fsjournal.v1.SnapshotBegin.$Properties|null|undefined} snapshotBegin
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.snapshotBegin = null;

            /**
             * StreamMessage snapshotPiece.
             * @member {fsjournal.v1.SnapshotPiece.$Properties|null|undefined} snapshotPiece
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.snapshotPiece = null;

            /**
             * StreamMessage snapshotEnd.
             * @member {fsjournal.v1.SnapshotEnd.$Properties|null|undefined} snapshotEnd
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            StreamMessage.prototype.snapshotEnd = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * StreamMessage body.
             * @member {"hello"|"welcome"|"resync"|"batch"|"ack"|"heartbeat"|"error"|"snapshotBegin"|"snapshotPiece"|"snapshotEnd"|undefined} body
             * @memberof fsjournal.v1.StreamMessage
             * @instance
             */
            $Object.defineProperty(StreamMessage.prototype, "body", {
                get: $util.oneOfGetter($oneOfFields = ["hello", "welcome", "resync", "batch", "ack", "heartbeat", "error", "snapshotBegin", "snapshotPiece", "snapshotEnd"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new StreamMessage instance using the specified properties.
             * @function create
             * @memberof fsjournal.v1.StreamMessage
             * @static
             * @param {fsjournal.v1.StreamMessage.$Properties=} [properties] Properties to set
             * @returns {fsjournal.v1.StreamMessage} StreamMessage instance
             * @type {{
             *   (properties: fsjournal.v1.StreamMessage.$Shape): fsjournal.v1.StreamMessage & fsjournal.v1.StreamMessage.$Shape;
             *   (properties?: fsjournal.v1.StreamMessage.$Properties): fsjournal.v1.StreamMessage;
             * }}
             */
            StreamMessage.create = function(properties) {
                return new StreamMessage(properties);
            };

            /**
             * Encodes the specified StreamMessage message. Does not implicitly {@link fsjournal.v1.StreamMessage.verify|verify} messages.
             * @function encode
             * @memberof fsjournal.v1.StreamMessage
             * @static
             * @param {fsjournal.v1.StreamMessage.$Properties} message StreamMessage message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            StreamMessage.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.hello != null && $Object.hasOwnProperty.call(message, "hello"))
                    $root.fsjournal.v1.Hello.encode(message.hello, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.welcome != null && $Object.hasOwnProperty.call(message, "welcome"))
                    $root.fsjournal.v1.Welcome.encode(message.welcome, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.resync != null && $Object.hasOwnProperty.call(message, "resync"))
                    $root.fsjournal.v1.Resync.encode(message.resync, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.batch != null && $Object.hasOwnProperty.call(message, "batch"))
                    $root.fsjournal.v1.Batch.encode(message.batch, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.ack != null && $Object.hasOwnProperty.call(message, "ack"))
                    $root.fsjournal.v1.Ack.encode(message.ack, writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.heartbeat != null && $Object.hasOwnProperty.call(message, "heartbeat"))
                    $root.fsjournal.v1.Heartbeat.encode(message.heartbeat, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.error != null && $Object.hasOwnProperty.call(message, "error"))
                    $root.fsjournal.v1.StreamError.encode(message.error, writer.uint32(/* id 7, wireType 2 =*/58).fork(), _depth + 1).ldelim();
                if (message.snapshotBegin != null && $Object.hasOwnProperty.call(message, "snapshotBegin"))
                    $root.fsjournal.v1.SnapshotBegin.encode(message.snapshotBegin, writer.uint32(/* id 8, wireType 2 =*/66).fork(), _depth + 1).ldelim();
                if (message.snapshotPiece != null && $Object.hasOwnProperty.call(message, "snapshotPiece"))
                    $root.fsjournal.v1.SnapshotPiece.encode(message.snapshotPiece, writer.uint32(/* id 9, wireType 2 =*/74).fork(), _depth + 1).ldelim();
                if (message.snapshotEnd != null && $Object.hasOwnProperty.call(message, "snapshotEnd"))
                    $root.fsjournal.v1.SnapshotEnd.encode(message.snapshotEnd, writer.uint32(/* id 10, wireType 2 =*/82).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a StreamMessage message from the specified reader or buffer.
             * @function decode
             * @memberof fsjournal.v1.StreamMessage
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fsjournal.v1.StreamMessage & fsjournal.v1.StreamMessage.$Shape} StreamMessage
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            StreamMessage.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.fsjournal.v1.StreamMessage();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.hello = $root.fsjournal.v1.Hello.decode(reader, reader.size(), $undefined, _depth + 1, message.hello);
                            message.body = "hello";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.welcome = $root.fsjournal.v1.Welcome.decode(reader, reader.size(), $undefined, _depth + 1, message.welcome);
                            message.body = "welcome";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.resync = $root.fsjournal.v1.Resync.decode(reader, reader.size(), $undefined, _depth + 1, message.resync);
                            message.body = "resync";
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.batch = $root.fsjournal.v1.Batch.decode(reader, reader.size(), $undefined, _depth + 1, message.batch);
                            message.body = "batch";
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            message.ack = $root.fsjournal.v1.Ack.decode(reader, reader.size(), $undefined, _depth + 1, message.ack);
                            message.body = "ack";
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.heartbeat = $root.fsjournal.v1.Heartbeat.decode(reader, reader.size(), $undefined, _depth + 1, message.heartbeat);
                            message.body = "heartbeat";
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            message.error = $root.fsjournal.v1.StreamError.decode(reader, reader.size(), $undefined, _depth + 1, message.error);
                            message.body = "error";
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            message.snapshotBegin = $root.fsjournal.v1.SnapshotBegin.decode(reader, reader.size(), $undefined, _depth + 1, message.snapshotBegin);
                            message.body = "snapshotBegin";
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            message.snapshotPiece = $root.fsjournal.v1.SnapshotPiece.decode(reader, reader.size(), $undefined, _depth + 1, message.snapshotPiece);
                            message.body = "snapshotPiece";
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            message.snapshotEnd = $root.fsjournal.v1.SnapshotEnd.decode(reader, reader.size(), $undefined, _depth + 1, message.snapshotEnd);
                            message.body = "snapshotEnd";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return StreamMessage;
        })();

        return v1;
    })();

    return fsjournal;
})();

export {
  $root as default
};
