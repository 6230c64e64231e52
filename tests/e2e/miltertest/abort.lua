-- abort.lua - miltertest: abort in the middle of a body, then a whole
-- message on the same connection.  -D socket=... names the milter.

function expect(conn, what, want)
	local got = mt.getreply(conn)
	if got ~= want then
		error(what .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
	end
	mt.echo("ok   - " .. what)
end

conn = mt.connect(socket, 40, 0.25)
if conn == nil then error("cannot connect to " .. socket) end
if mt.conninfo(conn, "client.example.org", "127.0.0.1") ~= nil then error("conninfo") end

mt.macro(conn, SMFIC_MAIL, "i", "MTABORT1")
if mt.mailfrom(conn, "<a@example.org>") ~= nil then error("mailfrom") end
expect(conn, "abort: MAIL FROM continues", SMFIR_CONTINUE)
mt.header(conn, "From", "a@example.org")
mt.header(conn, "MIME-Version", "1.0")
mt.header(conn, "Content-Type", "multipart/mixed; boundary=\"BB\"")
if mt.eoh(conn) ~= nil then error("eoh") end
expect(conn, "abort: end of headers continues", SMFIR_CONTINUE)
if mt.bodystring(conn, "--BB\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA") ~= nil then error("body") end
expect(conn, "abort: half a body continues", SMFIR_CONTINUE)
if mt.abort(conn) ~= nil then error("abort") end
mt.echo("ok   - abort: sent SMFIC_ABORT in the middle of a base64 part")

mt.macro(conn, SMFIC_MAIL, "i", "MTABORT2")
if mt.mailfrom(conn, "<a@example.org>") ~= nil then error("mailfrom 2") end
expect(conn, "abort: the next MAIL FROM on the connection continues", SMFIR_CONTINUE)
mt.header(conn, "From", "a@example.org")
mt.header(conn, "Subject", "after the abort")
if mt.eoh(conn) ~= nil then error("eoh 2") end
if mt.bodystring(conn, "hello\r\n") ~= nil then error("body 2") end
if mt.eom(conn) ~= nil then error("eom 2") end
expect(conn, "abort: the message after the abort is accepted", SMFIR_CONTINUE)
if not mt.eom_check(conn, MT_HDRADD, "X-Defuse") then error("no X-Defuse header added") end
mt.echo("ok   - abort: ... with its X-Defuse header")
-- abort with no message under way: tolerated
if mt.abort(conn) ~= nil then error("abort 2") end
mt.disconnect(conn)
mt.echo("ok   - abort: disconnect")
