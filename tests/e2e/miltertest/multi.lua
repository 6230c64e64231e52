-- multi.lua - miltertest: several messages on one connection: clean,
-- a bomb refused in the middle of its body, clean again.

function expect(conn, what, want)
	local got = mt.getreply(conn)
	if got ~= want then
		error(what .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
	end
	mt.echo("ok   - " .. what)
end

function begin(conn, qid, subject)
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	if mt.mailfrom(conn, "<a@example.org>") ~= nil then error("mailfrom") end
	expect(conn, qid .. ": MAIL FROM continues", SMFIR_CONTINUE)
	mt.header(conn, "From", "a@example.org")
	mt.header(conn, "Subject", subject)
	mt.header(conn, "MIME-Version", "1.0")
end

function clean(conn, qid)
	begin(conn, qid, "clean")
	mt.header(conn, "Content-Type", "text/plain")
	if mt.eoh(conn) ~= nil then error("eoh") end
	expect(conn, qid .. ": end of headers continues", SMFIR_CONTINUE)
	for i = 1, 5 do
		if mt.bodystring(conn, string.rep("clean text line\r\n", 1000)) ~= nil then error("body") end
		expect(conn, qid .. ": body chunk " .. i .. " continues", SMFIR_CONTINUE)
	end
	if mt.eom(conn) ~= nil then error("eom") end
	expect(conn, qid .. ": accepted at end of message", SMFIR_CONTINUE)
end

conn = mt.connect(socket, 40, 0.25)
if conn == nil then error("cannot connect to " .. socket) end
if mt.conninfo(conn, "client.example.org", "127.0.0.1") ~= nil then error("conninfo") end

clean(conn, "MTMULTI1")

-- a base64 part of 1 MB decoded, max_part_size 256K: refused at the body
-- chunk that crosses the limit, long before the end
begin(conn, "MTMULTI2", "bomb")
mt.header(conn, "Content-Type", "application/octet-stream")
mt.header(conn, "Content-Transfer-Encoding", "base64")
if mt.eoh(conn) ~= nil then error("eoh") end
expect(conn, "MTMULTI2: end of headers continues", SMFIR_CONTINUE)
line = string.rep("A", 76) .. "\r\n"
chunk = string.rep(line, 800)		-- 62 KB of base64, 45 KB decoded
refused = nil
for i = 1, 30 do
	if mt.bodystring(conn, chunk) ~= nil then error("body") end
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		refused = i
		break
	end
end
if refused == nil then error("MTMULTI2: never refused") end
if mt.getreply(conn) ~= SMFIR_REPLYCODE then error("MTMULTI2: refused without a reply code") end
if refused > 8 then error("MTMULTI2: refused only at chunk " .. refused) end
mt.echo("ok   - MTMULTI2: refused with a reply code at body chunk " .. refused .. " of 30 (about 45 KB decoded each)")

clean(conn, "MTMULTI3")
clean(conn, "MTMULTI4")
mt.disconnect(conn)
mt.echo("ok   - multi: four messages on one connection")
