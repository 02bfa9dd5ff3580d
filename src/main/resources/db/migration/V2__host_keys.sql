-- SSH host keys, pinned on first contact: a server that later shows another key is refused.
CREATE TABLE host_key (
  -- addr:port as mayfly dialled it
  host_port     VARCHAR(300)  PRIMARY KEY,
  algorithm     VARCHAR(64)   NOT NULL,
  -- OpenSSH style SHA256:<base64>
  fingerprint   VARCHAR(128)  NOT NULL,
  -- base64 wire format, as in known_hosts
  public_key    VARCHAR(8000) NOT NULL,
  first_seen    TIMESTAMP WITH TIME ZONE NOT NULL
);
