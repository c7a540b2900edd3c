import * as $protobuf from "./protobuf_runtime.js";

/** Namespace fsjournal. */
export namespace fsjournal {

    /** Namespace v1. */
    namespace v1 {

        /** ProtocolVersion enum. */
        enum ProtocolVersion {

            /** PROTOCOL_VERSION_UNSPECIFIED value */
            PROTOCOL_VERSION_UNSPECIFIED = 0,

            /** PROTOCOL_VERSION_1 value */
            PROTOCOL_VERSION_1 = 1
        }

        /** RecordKind enum. */
        enum RecordKind {

            /** RECORD_KIND_UNSPECIFIED value */
            RECORD_KIND_UNSPECIFIED = 0,

            /** RECORD_KIND_CREATE value */
            RECORD_KIND_CREATE = 1,

            /** RECORD_KIND_WRITE value */
            RECORD_KIND_WRITE = 2,

            /** RECORD_KIND_TRUNCATE value */
            RECORD_KIND_TRUNCATE = 3,

            /** RECORD_KIND_UNLINK value */
            RECORD_KIND_UNLINK = 4,

            /** RECORD_KIND_MKDIR value */
            RECORD_KIND_MKDIR = 5,

            /** RECORD_KIND_RMDIR value */
            RECORD_KIND_RMDIR = 6,

            /** RECORD_KIND_RENAME value */
            RECORD_KIND_RENAME = 7,

            /** RECORD_KIND_SYMLINK value */
            RECORD_KIND_SYMLINK = 8,

            /** RECORD_KIND_LINK value */
            RECORD_KIND_LINK = 9,

            /** RECORD_KIND_CHMOD value */
            RECORD_KIND_CHMOD = 10,

            /** RECORD_KIND_CHOWN value */
            RECORD_KIND_CHOWN = 11,

            /** RECORD_KIND_UTIMES value */
            RECORD_KIND_UTIMES = 12,

            /** RECORD_KIND_SETXATTR value */
            RECORD_KIND_SETXATTR = 13,

            /** RECORD_KIND_TXN_BEGIN value */
            RECORD_KIND_TXN_BEGIN = 64,

            /** RECORD_KIND_TXN_COMMIT value */
            RECORD_KIND_TXN_COMMIT = 65,

            /** RECORD_KIND_TXN_ABORT value */
            RECORD_KIND_TXN_ABORT = 66,

            /** RECORD_KIND_CHECKPOINT value */
            RECORD_KIND_CHECKPOINT = 67,

            /** RECORD_KIND_GAP value */
            RECORD_KIND_GAP = 68,

            /** RECORD_KIND_ANNOTATE value */
            RECORD_KIND_ANNOTATE = 69,

            /** RECORD_KIND_BARRIER value */
            RECORD_KIND_BARRIER = 70
        }

        /**
         * Properties of a Credentials.
         * @deprecated Use fsjournal.v1.Credentials.$Properties instead.
         */
        interface ICredentials extends fsjournal.v1.Credentials.$Properties {
        }

        /** Represents a Credentials. */
        class Credentials {

            /**
             * Constructs a new Credentials.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Credentials.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Credentials uid. */
            uid: number;

            /** Credentials gid. */
            gid: number;

            /** Credentials pid. */
            pid: number;

            /** Credentials comm. */
            comm: string;

            /**
             * Creates a new Credentials instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Credentials instance
             */
            static create(properties: fsjournal.v1.Credentials.$Shape): fsjournal.v1.Credentials & fsjournal.v1.Credentials.$Shape;
            static create(properties?: fsjournal.v1.Credentials.$Properties): fsjournal.v1.Credentials;

            /**
             * Encodes the specified Credentials message. Does not implicitly {@link fsjournal.v1.Credentials.verify|verify} messages.
             * @param message Credentials message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Credentials.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Credentials message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Credentials & fsjournal.v1.Credentials.$Shape} Credentials
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Credentials & fsjournal.v1.Credentials.$Shape;
        }

        namespace Credentials {

            /** Properties of a Credentials. */
            interface $Properties {

                /** Credentials uid */
                uid?: (number|null);

                /** Credentials gid */
                gid?: (number|null);

                /** Credentials pid */
                pid?: (number|null);

                /** Credentials comm */
                comm?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Credentials. */
            type $Shape = fsjournal.v1.Credentials.$Properties;
        }

        /**
         * Properties of a Timespec.
         * @deprecated Use fsjournal.v1.Timespec.$Properties instead.
         */
        interface ITimespec extends fsjournal.v1.Timespec.$Properties {
        }

        /** Represents a Timespec. */
        class Timespec {

            /**
             * Constructs a new Timespec.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Timespec.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Timespec sec. */
            sec: (number);

            /** Timespec nsec. */
            nsec: number;

            /**
             * Creates a new Timespec instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Timespec instance
             */
            static create(properties: fsjournal.v1.Timespec.$Shape): fsjournal.v1.Timespec & fsjournal.v1.Timespec.$Shape;
            static create(properties?: fsjournal.v1.Timespec.$Properties): fsjournal.v1.Timespec;

            /**
             * Encodes the specified Timespec message. Does not implicitly {@link fsjournal.v1.Timespec.verify|verify} messages.
             * @param message Timespec message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Timespec.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Timespec message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Timespec & fsjournal.v1.Timespec.$Shape} Timespec
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Timespec & fsjournal.v1.Timespec.$Shape;
        }

        namespace Timespec {

            /** Properties of a Timespec. */
            interface $Properties {

                /** Timespec sec */
                sec?: (number|null);

                /** Timespec nsec */
                nsec?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Timespec. */
            type $Shape = fsjournal.v1.Timespec.$Properties;
        }

        /**
         * Properties of a Record.
         * @deprecated Use fsjournal.v1.Record.$Properties instead.
         */
        interface IRecord extends fsjournal.v1.Record.$Properties {
        }

        /** Represents a Record. */
        class Record {

            /**
             * Constructs a new Record.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Record.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Record kind. */
            kind: fsjournal.v1.RecordKind;

            /** Record path. */
            path: string;

            /** Record path2. */
            path2: string;

            /** Record cred. */
            cred?: (fsjournal.v1.Credentials.$Properties|null);

            /** Record txn. */
            txn: (number);

            /** Record offset. */
            offset: (number);

            /** Record data. */
            data: Uint8Array;

            /** Record size. */
            size: (number);

            /** Record mode. */
            mode: number;

            /** Record uid. */
            uid: number;

            /** Record gid. */
            gid: number;

            /** Record atime. */
            atime?: (fsjournal.v1.Timespec.$Properties|null);

            /** Record mtime. */
            mtime?: (fsjournal.v1.Timespec.$Properties|null);

            /** Record target. */
            target: string;

            /** Record xattrName. */
            xattrName: string;

            /** Record xattrValue. */
            xattrValue: Uint8Array;

            /** Record xattrRemove. */
            xattrRemove: boolean;

            /** Record inode. */
            inode: (number);

            /** Record text. */
            text: string;

            /** Record checkpointId. */
            checkpointId: string;

            /** Record barrierId. */
            barrierId: string;

            /**
             * Creates a new Record instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Record instance
             */
            static create(properties: fsjournal.v1.Record.$Shape): fsjournal.v1.Record & fsjournal.v1.Record.$Shape;
            static create(properties?: fsjournal.v1.Record.$Properties): fsjournal.v1.Record;

            /**
             * Encodes the specified Record message. Does not implicitly {@link fsjournal.v1.Record.verify|verify} messages.
             * @param message Record message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Record.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Record message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Record & fsjournal.v1.Record.$Shape} Record
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Record & fsjournal.v1.Record.$Shape;
        }

        namespace Record {

            /** Properties of a Record. */
            interface $Properties {

                /** Record kind */
                kind?: (fsjournal.v1.RecordKind|null);

                /** Record path */
                path?: (string|null);

                /** Record path2 */
                path2?: (string|null);

                /** Record cred */
                cred?: (fsjournal.v1.Credentials.$Properties|null);

                /** Record txn */
                txn?: (number|null);

                /** Record offset */
                offset?: (number|null);

                /** Record data */
                data?: (Uint8Array|null);

                /** Record size */
                size?: (number|null);

                /** Record mode */
                mode?: (number|null);

                /** Record uid */
                uid?: (number|null);

                /** Record gid */
                gid?: (number|null);

                /** Record atime */
                atime?: (fsjournal.v1.Timespec.$Properties|null);

                /** Record mtime */
                mtime?: (fsjournal.v1.Timespec.$Properties|null);

                /** Record target */
                target?: (string|null);

                /** Record xattrName */
                xattrName?: (string|null);

                /** Record xattrValue */
                xattrValue?: (Uint8Array|null);

                /** Record xattrRemove */
                xattrRemove?: (boolean|null);

                /** Record inode */
                inode?: (number|null);

                /** Record text */
                text?: (string|null);

                /** Record checkpointId */
                checkpointId?: (string|null);

                /** Record barrierId */
                barrierId?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Record. */
            type $Shape = fsjournal.v1.Record.$Properties;
        }

        /**
         * Properties of a Hello.
         * @deprecated Use fsjournal.v1.Hello.$Properties instead.
         */
        interface IHello extends fsjournal.v1.Hello.$Properties {
        }

        /** Represents a Hello. */
        class Hello {

            /**
             * Constructs a new Hello.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Hello.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Hello protocolVersion. */
            protocolVersion: fsjournal.v1.ProtocolVersion;

            /** Hello replicaId. */
            replicaId: string;

            /** Hello journalId. */
            journalId: string;

            /** Hello lastAppliedLsn. */
            lastAppliedLsn: (number);

            /** Hello window. */
            window: number;

            /**
             * Creates a new Hello instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Hello instance
             */
            static create(properties: fsjournal.v1.Hello.$Shape): fsjournal.v1.Hello & fsjournal.v1.Hello.$Shape;
            static create(properties?: fsjournal.v1.Hello.$Properties): fsjournal.v1.Hello;

            /**
             * Encodes the specified Hello message. Does not implicitly {@link fsjournal.v1.Hello.verify|verify} messages.
             * @param message Hello message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Hello.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Hello & fsjournal.v1.Hello.$Shape} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Hello & fsjournal.v1.Hello.$Shape;
        }

        namespace Hello {

            /** Properties of a Hello. */
            interface $Properties {

                /** Hello protocolVersion */
                protocolVersion?: (fsjournal.v1.ProtocolVersion|null);

                /** Hello replicaId */
                replicaId?: (string|null);

                /** Hello journalId */
                journalId?: (string|null);

                /** Hello lastAppliedLsn */
                lastAppliedLsn?: (number|null);

                /** Hello window */
                window?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Hello. */
            type $Shape = fsjournal.v1.Hello.$Properties;
        }

        /**
         * Properties of a Welcome.
         * @deprecated Use fsjournal.v1.Welcome.$Properties instead.
         */
        interface IWelcome extends fsjournal.v1.Welcome.$Properties {
        }

        /** Represents a Welcome. */
        class Welcome {

            /**
             * Constructs a new Welcome.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Welcome.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Welcome protocolVersion. */
            protocolVersion: fsjournal.v1.ProtocolVersion;

            /** Welcome journalId. */
            journalId: string;

            /** Welcome oldestLsn. */
            oldestLsn: (number);

            /** Welcome newestLsn. */
            newestLsn: (number);

            /**
             * Creates a new Welcome instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Welcome instance
             */
            static create(properties: fsjournal.v1.Welcome.$Shape): fsjournal.v1.Welcome & fsjournal.v1.Welcome.$Shape;
            static create(properties?: fsjournal.v1.Welcome.$Properties): fsjournal.v1.Welcome;

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link fsjournal.v1.Welcome.verify|verify} messages.
             * @param message Welcome message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Welcome.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Welcome & fsjournal.v1.Welcome.$Shape} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Welcome & fsjournal.v1.Welcome.$Shape;
        }

        namespace Welcome {

            /** Properties of a Welcome. */
            interface $Properties {

                /** Welcome protocolVersion */
                protocolVersion?: (fsjournal.v1.ProtocolVersion|null);

                /** Welcome journalId */
                journalId?: (string|null);

                /** Welcome oldestLsn */
                oldestLsn?: (number|null);

                /** Welcome newestLsn */
                newestLsn?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Welcome. */
            type $Shape = fsjournal.v1.Welcome.$Properties;
        }

        /**
         * Properties of a Resync.
         * @deprecated Use fsjournal.v1.Resync.$Properties instead.
         */
        interface IResync extends fsjournal.v1.Resync.$Properties {
        }

        /** Represents a Resync. */
        class Resync {

            /**
             * Constructs a new Resync.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Resync.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Resync reason. */
            reason: fsjournal.v1.Resync.Reason;

            /** Resync detail. */
            detail: string;

            /**
             * Creates a new Resync instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Resync instance
             */
            static create(properties: fsjournal.v1.Resync.$Shape): fsjournal.v1.Resync & fsjournal.v1.Resync.$Shape;
            static create(properties?: fsjournal.v1.Resync.$Properties): fsjournal.v1.Resync;

            /**
             * Encodes the specified Resync message. Does not implicitly {@link fsjournal.v1.Resync.verify|verify} messages.
             * @param message Resync message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Resync.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Resync message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Resync & fsjournal.v1.Resync.$Shape} Resync
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Resync & fsjournal.v1.Resync.$Shape;
        }

        namespace Resync {

            /** Properties of a Resync. */
            interface $Properties {

                /** Resync reason */
                reason?: (fsjournal.v1.Resync.Reason|null);

                /** Resync detail */
                detail?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Resync. */
            type $Shape = fsjournal.v1.Resync.$Properties;

            /** Reason enum. */
            enum Reason {

                /** REASON_UNSPECIFIED value */
                REASON_UNSPECIFIED = 0,

                /** REASON_NEW_REPLICA value */
                REASON_NEW_REPLICA = 1,

                /** REASON_JOURNAL_ID_MISMATCH value */
                REASON_JOURNAL_ID_MISMATCH = 2,

                /** REASON_BEHIND_RETENTION value */
                REASON_BEHIND_RETENTION = 3,

                /** REASON_AHEAD_OF_PRIMARY value */
                REASON_AHEAD_OF_PRIMARY = 4
            }
        }

        /**
         * Properties of a Batch.
         * @deprecated Use fsjournal.v1.Batch.$Properties instead.
         */
        interface IBatch extends fsjournal.v1.Batch.$Properties {
        }

        /** Represents a Batch. */
        class Batch {

            /**
             * Constructs a new Batch.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Batch.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Batch firstLsn. */
            firstLsn: (number);

            /** Batch prevLsn. */
            prevLsn: (number);

            /** Batch frames. */
            frames: Uint8Array[];

            /**
             * Creates a new Batch instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Batch instance
             */
            static create(properties: fsjournal.v1.Batch.$Shape): fsjournal.v1.Batch & fsjournal.v1.Batch.$Shape;
            static create(properties?: fsjournal.v1.Batch.$Properties): fsjournal.v1.Batch;

            /**
             * Encodes the specified Batch message. Does not implicitly {@link fsjournal.v1.Batch.verify|verify} messages.
             * @param message Batch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Batch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Batch message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Batch & fsjournal.v1.Batch.$Shape} Batch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Batch & fsjournal.v1.Batch.$Shape;
        }

        namespace Batch {

            /** Properties of a Batch. */
            interface $Properties {

                /** Batch firstLsn */
                firstLsn?: (number|null);

                /** Batch prevLsn */
                prevLsn?: (number|null);

                /** Batch frames */
                frames?: (Uint8Array[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Batch. */
            type $Shape = fsjournal.v1.Batch.$Properties;
        }

        /**
         * Properties of an Ack.
         * @deprecated Use fsjournal.v1.Ack.$Properties instead.
         */
        interface IAck extends fsjournal.v1.Ack.$Properties {
        }

        /** Represents an Ack. */
        class Ack {

            /**
             * Constructs a new Ack.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Ack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Ack appliedLsn. */
            appliedLsn: (number);

            /** Ack durableLsn. */
            durableLsn: (number);

            /** Ack receivedLsn. */
            receivedLsn: (number);

            /** Ack snapshotSeq. */
            snapshotSeq: (number);

            /**
             * Creates a new Ack instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Ack instance
             */
            static create(properties: fsjournal.v1.Ack.$Shape): fsjournal.v1.Ack & fsjournal.v1.Ack.$Shape;
            static create(properties?: fsjournal.v1.Ack.$Properties): fsjournal.v1.Ack;

            /**
             * Encodes the specified Ack message. Does not implicitly {@link fsjournal.v1.Ack.verify|verify} messages.
             * @param message Ack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Ack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Ack & fsjournal.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Ack & fsjournal.v1.Ack.$Shape;
        }

        namespace Ack {

            /** Properties of an Ack. */
            interface $Properties {

                /** Ack appliedLsn */
                appliedLsn?: (number|null);

                /** Ack durableLsn */
                durableLsn?: (number|null);

                /** Ack receivedLsn */
                receivedLsn?: (number|null);

                /** Ack snapshotSeq */
                snapshotSeq?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Ack. */
            type $Shape = fsjournal.v1.Ack.$Properties;
        }

        /**
         * Properties of a Heartbeat.
         * @deprecated Use fsjournal.v1.Heartbeat.$Properties instead.
         */
        interface IHeartbeat extends fsjournal.v1.Heartbeat.$Properties {
        }

        /** Represents a Heartbeat. */
        class Heartbeat {

            /**
             * Constructs a new Heartbeat.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.Heartbeat.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Heartbeat timeMs. */
            timeMs: (number);

            /** Heartbeat newestLsn. */
            newestLsn: (number);

            /**
             * Creates a new Heartbeat instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Heartbeat instance
             */
            static create(properties: fsjournal.v1.Heartbeat.$Shape): fsjournal.v1.Heartbeat & fsjournal.v1.Heartbeat.$Shape;
            static create(properties?: fsjournal.v1.Heartbeat.$Properties): fsjournal.v1.Heartbeat;

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link fsjournal.v1.Heartbeat.verify|verify} messages.
             * @param message Heartbeat message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.Heartbeat.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.Heartbeat & fsjournal.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.Heartbeat & fsjournal.v1.Heartbeat.$Shape;
        }

        namespace Heartbeat {

            /** Properties of a Heartbeat. */
            interface $Properties {

                /** Heartbeat timeMs */
                timeMs?: (number|null);

                /** Heartbeat newestLsn */
                newestLsn?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Heartbeat. */
            type $Shape = fsjournal.v1.Heartbeat.$Properties;
        }

        /**
         * Properties of a StreamError.
         * @deprecated Use fsjournal.v1.StreamError.$Properties instead.
         */
        interface IStreamError extends fsjournal.v1.StreamError.$Properties {
        }

        /** Represents a StreamError. */
        class StreamError {

            /**
             * Constructs a new StreamError.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.StreamError.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamError code. */
            code: string;

            /** StreamError message. */
            message: string;

            /**
             * Creates a new StreamError instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamError instance
             */
            static create(properties: fsjournal.v1.StreamError.$Shape): fsjournal.v1.StreamError & fsjournal.v1.StreamError.$Shape;
            static create(properties?: fsjournal.v1.StreamError.$Properties): fsjournal.v1.StreamError;

            /**
             * Encodes the specified StreamError message. Does not implicitly {@link fsjournal.v1.StreamError.verify|verify} messages.
             * @param message StreamError message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.StreamError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamError message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.StreamError & fsjournal.v1.StreamError.$Shape} StreamError
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.StreamError & fsjournal.v1.StreamError.$Shape;
        }

        namespace StreamError {

            /** Properties of a StreamError. */
            interface $Properties {

                /** StreamError code */
                code?: (string|null);

                /** StreamError message */
                message?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StreamError. */
            type $Shape = fsjournal.v1.StreamError.$Properties;
        }

        /**
         * Properties of a SnapshotTxn.
         * @deprecated Use fsjournal.v1.SnapshotTxn.$Properties instead.
         */
        interface ISnapshotTxn extends fsjournal.v1.SnapshotTxn.$Properties {
        }

        /** Represents a SnapshotTxn. */
        class SnapshotTxn {

            /**
             * Constructs a new SnapshotTxn.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotTxn.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotTxn txn. */
            txn: (number);

            /** SnapshotTxn beginLsn. */
            beginLsn: (number);

            /**
             * Creates a new SnapshotTxn instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotTxn instance
             */
            static create(properties: fsjournal.v1.SnapshotTxn.$Shape): fsjournal.v1.SnapshotTxn & fsjournal.v1.SnapshotTxn.$Shape;
            static create(properties?: fsjournal.v1.SnapshotTxn.$Properties): fsjournal.v1.SnapshotTxn;

            /**
             * Encodes the specified SnapshotTxn message. Does not implicitly {@link fsjournal.v1.SnapshotTxn.verify|verify} messages.
             * @param message SnapshotTxn message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotTxn.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotTxn message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotTxn & fsjournal.v1.SnapshotTxn.$Shape} SnapshotTxn
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotTxn & fsjournal.v1.SnapshotTxn.$Shape;
        }

        namespace SnapshotTxn {

            /** Properties of a SnapshotTxn. */
            interface $Properties {

                /** SnapshotTxn txn */
                txn?: (number|null);

                /** SnapshotTxn beginLsn */
                beginLsn?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotTxn. */
            type $Shape = fsjournal.v1.SnapshotTxn.$Properties;
        }

        /**
         * Properties of a SnapshotEntry.
         * @deprecated Use fsjournal.v1.SnapshotEntry.$Properties instead.
         */
        interface ISnapshotEntry extends fsjournal.v1.SnapshotEntry.$Properties {
        }

        /** Represents a SnapshotEntry. */
        class SnapshotEntry {

            /**
             * Constructs a new SnapshotEntry.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotEntry.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotEntry type. */
            type: fsjournal.v1.SnapshotEntry.Type;

            /** SnapshotEntry path. */
            path: string;

            /** SnapshotEntry mode. */
            mode: number;

            /** SnapshotEntry uid. */
            uid: number;

            /** SnapshotEntry gid. */
            gid: number;

            /** SnapshotEntry atime. */
            atime?: (fsjournal.v1.Timespec.$Properties|null);

            /** SnapshotEntry mtime. */
            mtime?: (fsjournal.v1.Timespec.$Properties|null);

            /** SnapshotEntry size. */
            size: (number);

            /** SnapshotEntry blocks. */
            blocks: (number);

            /** SnapshotEntry target. */
            target: string;

            /** SnapshotEntry linkTo. */
            linkTo: string;

            /**
             * Creates a new SnapshotEntry instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotEntry instance
             */
            static create(properties: fsjournal.v1.SnapshotEntry.$Shape): fsjournal.v1.SnapshotEntry & fsjournal.v1.SnapshotEntry.$Shape;
            static create(properties?: fsjournal.v1.SnapshotEntry.$Properties): fsjournal.v1.SnapshotEntry;

            /**
             * Encodes the specified SnapshotEntry message. Does not implicitly {@link fsjournal.v1.SnapshotEntry.verify|verify} messages.
             * @param message SnapshotEntry message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotEntry.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotEntry message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotEntry & fsjournal.v1.SnapshotEntry.$Shape} SnapshotEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotEntry & fsjournal.v1.SnapshotEntry.$Shape;
        }

        namespace SnapshotEntry {

            /** Properties of a SnapshotEntry. */
            interface $Properties {

                /** SnapshotEntry type */
                type?: (fsjournal.v1.SnapshotEntry.Type|null);

                /** SnapshotEntry path */
                path?: (string|null);

                /** SnapshotEntry mode */
                mode?: (number|null);

                /** SnapshotEntry uid */
                uid?: (number|null);

                /** SnapshotEntry gid */
                gid?: (number|null);

                /** SnapshotEntry atime */
                atime?: (fsjournal.v1.Timespec.$Properties|null);

                /** SnapshotEntry mtime */
                mtime?: (fsjournal.v1.Timespec.$Properties|null);

                /** SnapshotEntry size */
                size?: (number|null);

                /** SnapshotEntry blocks */
                blocks?: (number|null);

                /** SnapshotEntry target */
                target?: (string|null);

                /** SnapshotEntry linkTo */
                linkTo?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotEntry. */
            type $Shape = fsjournal.v1.SnapshotEntry.$Properties;

            /** Type enum. */
            enum Type {

                /** TYPE_UNSPECIFIED value */
                TYPE_UNSPECIFIED = 0,

                /** TYPE_DIR value */
                TYPE_DIR = 1,

                /** TYPE_FILE value */
                TYPE_FILE = 2,

                /** TYPE_SYMLINK value */
                TYPE_SYMLINK = 3,

                /** TYPE_HARDLINK value */
                TYPE_HARDLINK = 4
            }
        }

        /**
         * Properties of a SnapshotBlock.
         * @deprecated Use fsjournal.v1.SnapshotBlock.$Properties instead.
         */
        interface ISnapshotBlock extends fsjournal.v1.SnapshotBlock.$Properties {
        }

        /** Represents a SnapshotBlock. */
        class SnapshotBlock {

            /**
             * Constructs a new SnapshotBlock.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotBlock.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotBlock index. */
            index: (number);

            /** SnapshotBlock sha256. */
            sha256: Uint8Array;

            /** SnapshotBlock data. */
            data: Uint8Array;

            /**
             * Creates a new SnapshotBlock instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotBlock instance
             */
            static create(properties: fsjournal.v1.SnapshotBlock.$Shape): fsjournal.v1.SnapshotBlock & fsjournal.v1.SnapshotBlock.$Shape;
            static create(properties?: fsjournal.v1.SnapshotBlock.$Properties): fsjournal.v1.SnapshotBlock;

            /**
             * Encodes the specified SnapshotBlock message. Does not implicitly {@link fsjournal.v1.SnapshotBlock.verify|verify} messages.
             * @param message SnapshotBlock message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotBlock.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotBlock message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotBlock & fsjournal.v1.SnapshotBlock.$Shape} SnapshotBlock
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotBlock & fsjournal.v1.SnapshotBlock.$Shape;
        }

        namespace SnapshotBlock {

            /** Properties of a SnapshotBlock. */
            interface $Properties {

                /** SnapshotBlock index */
                index?: (number|null);

                /** SnapshotBlock sha256 */
                sha256?: (Uint8Array|null);

                /** SnapshotBlock data */
                data?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotBlock. */
            type $Shape = fsjournal.v1.SnapshotBlock.$Properties;
        }

        /**
         * Properties of a SnapshotItem.
         * @deprecated Use fsjournal.v1.SnapshotItem.$Properties instead.
         */
        interface ISnapshotItem extends fsjournal.v1.SnapshotItem.$Properties {
        }

        /** Represents a SnapshotItem. */
        class SnapshotItem {

            /**
             * Constructs a new SnapshotItem.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotItem.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotItem entry. */
            entry?: (fsjournal.v1.SnapshotEntry.$Properties|null);

            /** SnapshotItem block. */
            block?: (fsjournal.v1.SnapshotBlock.$Properties|null);

            /** SnapshotItem item. */
            item?: ("entry"|"block");

            /**
             * Creates a new SnapshotItem instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotItem instance
             */
            static create(properties: fsjournal.v1.SnapshotItem.$Shape): fsjournal.v1.SnapshotItem & fsjournal.v1.SnapshotItem.$Shape;
            static create(properties?: fsjournal.v1.SnapshotItem.$Properties): fsjournal.v1.SnapshotItem;

            /**
             * Encodes the specified SnapshotItem message. Does not implicitly {@link fsjournal.v1.SnapshotItem.verify|verify} messages.
             * @param message SnapshotItem message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotItem.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotItem message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotItem & fsjournal.v1.SnapshotItem.$Shape} SnapshotItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotItem & fsjournal.v1.SnapshotItem.$Shape;
        }

        namespace SnapshotItem {

            /** Properties of a SnapshotItem. */
            interface $Properties {

                /** SnapshotItem entry */
                entry?: (fsjournal.v1.SnapshotEntry.$Properties|null);

                /** SnapshotItem block */
                block?: (fsjournal.v1.SnapshotBlock.$Properties|null);

                /** SnapshotItem item */
                item?: ("entry"|"block");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a SnapshotItem. */
            type $Shape = {
              entry?: fsjournal.v1.SnapshotEntry.$Shape|null;
              block?: fsjournal.v1.SnapshotBlock.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ item?: undefined; entry?: null; block?: null }|{ item?: "entry"; entry: fsjournal.v1.SnapshotEntry.$Shape; block?: null }|{ item?: "block"; entry?: null; block: fsjournal.v1.SnapshotBlock.$Shape })
            );
        }

        /**
         * Properties of a SnapshotBegin.
         * @deprecated Use fsjournal.v1.SnapshotBegin.$Properties instead.
         */
        interface ISnapshotBegin extends fsjournal.v1.SnapshotBegin.$Properties {
        }

        /** Represents a SnapshotBegin. */
        class SnapshotBegin {

            /**
             * Constructs a new SnapshotBegin.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotBegin.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotBegin protocolVersion. */
            protocolVersion: fsjournal.v1.ProtocolVersion;

            /** SnapshotBegin journalId. */
            journalId: string;

            /** SnapshotBegin checkpointId. */
            checkpointId: string;

            /** SnapshotBegin lsn. */
            lsn: (number);

            /** SnapshotBegin replayFromLsn. */
            replayFromLsn: (number);

            /** SnapshotBegin openTxns. */
            openTxns: fsjournal.v1.SnapshotTxn.$Properties[];

            /** SnapshotBegin entries. */
            entries: (number);

            /** SnapshotBegin files. */
            files: (number);

            /** SnapshotBegin bytes. */
            bytes: (number);

            /** SnapshotBegin blockBytes. */
            blockBytes: number;

            /** SnapshotBegin root. */
            root?: (fsjournal.v1.SnapshotEntry.$Properties|null);

            /** SnapshotBegin oldestLsn. */
            oldestLsn: (number);

            /** SnapshotBegin newestLsn. */
            newestLsn: (number);

            /**
             * Creates a new SnapshotBegin instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotBegin instance
             */
            static create(properties: fsjournal.v1.SnapshotBegin.$Shape): fsjournal.v1.SnapshotBegin & fsjournal.v1.SnapshotBegin.$Shape;
            static create(properties?: fsjournal.v1.SnapshotBegin.$Properties): fsjournal.v1.SnapshotBegin;

            /**
             * Encodes the specified SnapshotBegin message. Does not implicitly {@link fsjournal.v1.SnapshotBegin.verify|verify} messages.
             * @param message SnapshotBegin message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotBegin.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotBegin message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotBegin & fsjournal.v1.SnapshotBegin.$Shape} SnapshotBegin
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotBegin & fsjournal.v1.SnapshotBegin.$Shape;
        }

        namespace SnapshotBegin {

            /** Properties of a SnapshotBegin. */
            interface $Properties {

                /** SnapshotBegin protocolVersion */
                protocolVersion?: (fsjournal.v1.ProtocolVersion|null);

                /** SnapshotBegin journalId */
                journalId?: (string|null);

                /** SnapshotBegin checkpointId */
                checkpointId?: (string|null);

                /** SnapshotBegin lsn */
                lsn?: (number|null);

                /** SnapshotBegin replayFromLsn */
                replayFromLsn?: (number|null);

                /** SnapshotBegin openTxns */
                openTxns?: (fsjournal.v1.SnapshotTxn.$Properties[]|null);

                /** SnapshotBegin entries */
                entries?: (number|null);

                /** SnapshotBegin files */
                files?: (number|null);

                /** SnapshotBegin bytes */
                bytes?: (number|null);

                /** SnapshotBegin blockBytes */
                blockBytes?: (number|null);

                /** SnapshotBegin root */
                root?: (fsjournal.v1.SnapshotEntry.$Properties|null);

                /** SnapshotBegin oldestLsn */
                oldestLsn?: (number|null);

                /** SnapshotBegin newestLsn */
                newestLsn?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotBegin. */
            type $Shape = fsjournal.v1.SnapshotBegin.$Properties;
        }

        /**
         * Properties of a SnapshotPiece.
         * @deprecated Use fsjournal.v1.SnapshotPiece.$Properties instead.
         */
        interface ISnapshotPiece extends fsjournal.v1.SnapshotPiece.$Properties {
        }

        /** Represents a SnapshotPiece. */
        class SnapshotPiece {

            /**
             * Constructs a new SnapshotPiece.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotPiece.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotPiece seq. */
            seq: (number);

            /** SnapshotPiece items. */
            items: fsjournal.v1.SnapshotItem.$Properties[];

            /**
             * Creates a new SnapshotPiece instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotPiece instance
             */
            static create(properties: fsjournal.v1.SnapshotPiece.$Shape): fsjournal.v1.SnapshotPiece & fsjournal.v1.SnapshotPiece.$Shape;
            static create(properties?: fsjournal.v1.SnapshotPiece.$Properties): fsjournal.v1.SnapshotPiece;

            /**
             * Encodes the specified SnapshotPiece message. Does not implicitly {@link fsjournal.v1.SnapshotPiece.verify|verify} messages.
             * @param message SnapshotPiece message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotPiece.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotPiece message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotPiece & fsjournal.v1.SnapshotPiece.$Shape} SnapshotPiece
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotPiece & fsjournal.v1.SnapshotPiece.$Shape;
        }

        namespace SnapshotPiece {

            /** Properties of a SnapshotPiece. */
            interface $Properties {

                /** SnapshotPiece seq */
                seq?: (number|null);

                /** SnapshotPiece items */
                items?: (fsjournal.v1.SnapshotItem.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotPiece. */
            type $Shape = {
              seq?: number|null;
              items?: fsjournal.v1.SnapshotItem.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a SnapshotEnd.
         * @deprecated Use fsjournal.v1.SnapshotEnd.$Properties instead.
         */
        interface ISnapshotEnd extends fsjournal.v1.SnapshotEnd.$Properties {
        }

        /** Represents a SnapshotEnd. */
        class SnapshotEnd {

            /**
             * Constructs a new SnapshotEnd.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.SnapshotEnd.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** SnapshotEnd pieces. */
            pieces: (number);

            /** SnapshotEnd entries. */
            entries: (number);

            /** SnapshotEnd blocks. */
            blocks: (number);

            /**
             * Creates a new SnapshotEnd instance using the specified properties.
             * @param [properties] Properties to set
             * @returns SnapshotEnd instance
             */
            static create(properties: fsjournal.v1.SnapshotEnd.$Shape): fsjournal.v1.SnapshotEnd & fsjournal.v1.SnapshotEnd.$Shape;
            static create(properties?: fsjournal.v1.SnapshotEnd.$Properties): fsjournal.v1.SnapshotEnd;

            /**
             * Encodes the specified SnapshotEnd message. Does not implicitly {@link fsjournal.v1.SnapshotEnd.verify|verify} messages.
             * @param message SnapshotEnd message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.SnapshotEnd.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a SnapshotEnd message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.SnapshotEnd & fsjournal.v1.SnapshotEnd.$Shape} SnapshotEnd
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.SnapshotEnd & fsjournal.v1.SnapshotEnd.$Shape;
        }

        namespace SnapshotEnd {

            /** Properties of a SnapshotEnd. */
            interface $Properties {

                /** SnapshotEnd pieces */
                pieces?: (number|null);

                /** SnapshotEnd entries */
                entries?: (number|null);

                /** SnapshotEnd blocks */
                blocks?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a SnapshotEnd. */
            type $Shape = fsjournal.v1.SnapshotEnd.$Properties;
        }

        /**
         * Properties of a StreamMessage.
         * @deprecated Use fsjournal.v1.StreamMessage.$Properties instead.
         */
        interface IStreamMessage extends fsjournal.v1.StreamMessage.$Properties {
        }

        /** Represents a StreamMessage. */
        class StreamMessage {

            /**
             * Constructs a new StreamMessage.
             * @param [properties] Properties to set
             */
            constructor(properties?: fsjournal.v1.StreamMessage.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StreamMessage hello. */
            hello?: (fsjournal.v1.Hello.$Properties|null);

            /** StreamMessage welcome. */
            welcome?: (fsjournal.v1.Welcome.$Properties|null);

            /** StreamMessage resync. */
            resync?: (fsjournal.v1.Resync.$Properties|null);

            /** StreamMessage batch. */
            batch?: (fsjournal.v1.Batch.$Properties|null);

            /** StreamMessage ack. */
            ack?: (fsjournal.v1.Ack.$Properties|null);

            /** StreamMessage heartbeat. */
            heartbeat?: (fsjournal.v1.Heartbeat.$Properties|null);

            /** StreamMessage error. */
            error?: (fsjournal.v1.StreamError.$Properties|null);

            /** StreamMessage snapshotBegin. */
            snapshotBegin?: (fsjournal.v1.SnapshotBegin.$Properties|null);

            /** StreamMessage snapshotPiece. */
            snapshotPiece?: (fsjournal.v1.SnapshotPiece.$Properties|null);

            /** StreamMessage snapshotEnd. */
            snapshotEnd?: (fsjournal.v1.SnapshotEnd.$Properties|null);

            /** StreamMessage body. */
            body?: ("hello"|"welcome"|"resync"|"batch"|"ack"|"heartbeat"|"error"|"snapshotBegin"|"snapshotPiece"|"snapshotEnd");

            /**
             * Creates a new StreamMessage instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StreamMessage instance
             */
            static create(properties: fsjournal.v1.StreamMessage.$Shape): fsjournal.v1.StreamMessage & fsjournal.v1.StreamMessage.$Shape;
            static create(properties?: fsjournal.v1.StreamMessage.$Properties): fsjournal.v1.StreamMessage;

            /**
             * Encodes the specified StreamMessage message. Does not implicitly {@link fsjournal.v1.StreamMessage.verify|verify} messages.
             * @param message StreamMessage message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: fsjournal.v1.StreamMessage.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StreamMessage message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {fsjournal.v1.StreamMessage & fsjournal.v1.StreamMessage.$Shape} StreamMessage
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fsjournal.v1.StreamMessage & fsjournal.v1.StreamMessage.$Shape;
        }

        namespace StreamMessage {

            /** Properties of a StreamMessage. */
            interface $Properties {

                /** StreamMessage hello */
                hello?: (fsjournal.v1.Hello.$Properties|null);

                /** StreamMessage welcome */
                welcome?: (fsjournal.v1.Welcome.$Properties|null);

                /** StreamMessage resync */
                resync?: (fsjournal.v1.Resync.$Properties|null);

                /** StreamMessage batch */
                batch?: (fsjournal.v1.Batch.$Properties|null);

                /** StreamMessage ack */
                ack?: (fsjournal.v1.Ack.$Properties|null);

                /** StreamMessage heartbeat */
                heartbeat?: (fsjournal.v1.Heartbeat.$Properties|null);

                /** StreamMessage error */
                error?: (fsjournal.v1.StreamError.$Properties|null);

                /** StreamMessage snapshotBegin */
                snapshotBegin?: (fsjournal.v1.SnapshotBegin.$Properties|null);

                /** StreamMessage snapshotPiece */
                snapshotPiece?: (fsjournal.v1.SnapshotPiece.$Properties|null);

                /** StreamMessage snapshotEnd */
                snapshotEnd?: (fsjournal.v1.SnapshotEnd.$Properties|null);

                /** StreamMessage body */
                body?: ("hello"|"welcome"|"resync"|"batch"|"ack"|"heartbeat"|"error"|"snapshotBegin"|"snapshotPiece"|"snapshotEnd");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a StreamMessage. */
            type $Shape = {
              hello?: fsjournal.v1.Hello.$Shape|null;
              welcome?: fsjournal.v1.Welcome.$Shape|null;
              resync?: fsjournal.v1.Resync.$Shape|null;
              batch?: fsjournal.v1.Batch.$Shape|null;
              ack?: fsjournal.v1.Ack.$Shape|null;
              heartbeat?: fsjournal.v1.Heartbeat.$Shape|null;
              error?: fsjournal.v1.StreamError.$Shape|null;
              snapshotBegin?: fsjournal.v1.SnapshotBegin.$Shape|null;
              snapshotPiece?: fsjournal.v1.SnapshotPiece.$Shape|null;
              snapshotEnd?: fsjournal.v1.SnapshotEnd.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ body?: undefined; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "hello"; hello: fsjournal.v1.Hello.$Shape; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "welcome"; hello?: null; welcome: fsjournal.v1.Welcome.$Shape; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "resync"; hello?: null; welcome?: null; resync: fsjournal.v1.Resync.$Shape; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "batch"; hello?: null; welcome?: null; resync?: null; batch: fsjournal.v1.Batch.$Shape; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "ack"; hello?: null; welcome?: null; resync?: null; batch?: null; ack: fsjournal.v1.Ack.$Shape; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "heartbeat"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat: fsjournal.v1.Heartbeat.$Shape; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "error"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error: fsjournal.v1.StreamError.$Shape; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "snapshotBegin"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin: fsjournal.v1.SnapshotBegin.$Shape; snapshotPiece?: null; snapshotEnd?: null }|{ body?: "snapshotPiece"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece: fsjournal.v1.SnapshotPiece.$Shape; snapshotEnd?: null }|{ body?: "snapshotEnd"; hello?: null; welcome?: null; resync?: null; batch?: null; ack?: null; heartbeat?: null; error?: null; snapshotBegin?: null; snapshotPiece?: null; snapshotEnd: fsjournal.v1.SnapshotEnd.$Shape })
            );
        }
    }
}
