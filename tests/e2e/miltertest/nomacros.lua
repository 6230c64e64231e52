-- nomacros.lua - miltertest: an MTA that sends no macros at all (no
-- queue id "i"), no connection information, and an end of message with
-- no body: accepted, logged as NOQUEUE.

function expect(conn, what, want)
	local got = mt.getreply(conn)
	if got ~= want then
		error(what .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
	end
	mt.echo("ok   - " .. what)
end

conn = mt.connect(socket, 40, 0.25)
if conn == nil then error("cannot connect to " .. socket) end
if mt.mailfrom(conn, "<>") ~= nil then error("mailfrom") end
expect(conn, "nomacros: MAIL FROM <> with no macros continues", SMFIR_CONTINUE)
mt.header(conn, "Subject", "no macros")
if mt.eoh(conn) ~= nil then error("eoh") end
if mt.eom(conn) ~= nil then error("eom") end
expect(conn, "nomacros: a message with no body is accepted", SMFIR_CONTINUE)
-- ESMTP SIZE= over the limit, still no macros: refused at MAIL FROM
if mt.mailfrom(conn, "<a@example.org>", "SIZE=999999999999") ~= nil then error("mailfrom 2") end
expect(conn, "nomacros: SIZE= over max_message_cost refused at MAIL FROM", SMFIR_REPLYCODE)
mt.disconnect(conn)
