//! Reading newline-delimited lines of bounded length.

use tokio::io::{AsyncRead, AsyncReadExt};

/// What [`LineReader::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// A line, without its `\n` (and without a `\r` before it).
    Line(Vec<u8>),
    /// A line longer than the limit: the connection must be closed.
    TooLarge,
    /// The peer closed the connection (a last line without `\n` is dropped).
    Eof,
}

/// Reads lines of at most `max` bytes. Cancel-safe: all state lives in the reader, and
/// the only await is a read into its buffer, so it can sit in a `select!`.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for `\n`.
    scanned: usize,
    max: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R, max: usize) -> Self {
        Self {
            inner,
            buf: Vec::with_capacity(1024),
            scanned: 0,
            max,
        }
    }

    pub async fn next(&mut self) -> std::io::Result<Read> {
        loop {
            if let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + pos;
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                self.scanned = 0;
                // The contract counts every byte but the `\n`, a `\r` included.
                if line.len() > self.max {
                    return Ok(Read::TooLarge);
                }
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Read::Line(line));
            }
            self.scanned = self.buf.len();
            // More than `max` bytes and no newline yet: too large, whatever follows.
            if self.buf.len() > self.max {
                return Ok(Read::TooLarge);
            }
            // Read at most what could still complete a line, so memory stays bounded.
            let room = self.max + 1 - self.buf.len();
            let mut limited = (&mut self.inner).take(room as u64);
            if limited.read_buf(&mut self.buf).await? == 0 {
                return Ok(Read::Eof);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(input: &[u8], max: usize) -> Vec<Read> {
        let mut r = LineReader::new(input, max);
        let mut out = vec![];
        loop {
            let x = r.next().await.unwrap();
            let stop = matches!(x, Read::Eof | Read::TooLarge);
            out.push(x);
            if stop {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn lines_up_to_the_limit_pass_and_longer_ones_do_not() {
        let exact = [vec![b'x'; 8], b"\n".to_vec()].concat();
        assert_eq!(
            read_all(&exact, 8).await,
            vec![Read::Line(vec![b'x'; 8]), Read::Eof]
        );
        let crlf = [vec![b'x'; 7], b"\r\n".to_vec()].concat();
        assert_eq!(
            read_all(&crlf, 8).await,
            vec![Read::Line(vec![b'x'; 7]), Read::Eof]
        );
        let over = [vec![b'x'; 9], b"\n".to_vec()].concat();
        assert_eq!(read_all(&over, 8).await, vec![Read::TooLarge]);
        let endless = vec![b'x'; 100];
        assert_eq!(read_all(&endless, 8).await, vec![Read::TooLarge]);
    }

    #[tokio::test]
    async fn several_lines_in_one_read() {
        assert_eq!(
            read_all(b"a\nbb\n\nccc", 8).await,
            vec![
                Read::Line(b"a".to_vec()),
                Read::Line(b"bb".to_vec()),
                Read::Line(vec![]),
                Read::Eof
            ]
        );
    }
}
