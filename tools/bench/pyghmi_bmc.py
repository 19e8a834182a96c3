#!/usr/bin/python3
"""pyghmi's IPMI server set up the way PiKVM's kvmd-ipmi uses it.

kvmd-ipmi (pikvm/kvmd, kvmd/apps/ipmi/server.py) subclasses
pyghmi.ipmi.private.serversession.IpmiServer, passes a name -> password mapping as authdata,
dispatches (netfn, command) pairs in handle_raw_request, and runs
`IpmiSession.wait_for_rsp(timeout)` in a loop. This script does the same, with one
difference: kvmd-ipmi asks kvmd over HTTP (aiohttp) for the ATX state on every
Get Chassis Status / Get Power State / Self-test; here that state is a Python attribute.
Get Device ID (the benchmark's default command) never involves kvmd, so for it this is
exactly kvmd-ipmi's path; for Get Chassis Status it flatters pyghmi.

pyghmi's server only speaks cipher suite 3 (it forces suite 3 in the Open Session response)
and keys its sessions by the client's address, so a benchmark client needs one UDP socket
per session.

usage: pyghmi_bmc.py PORT [USER PASSWORD]
"""
import sys

from pyghmi.ipmi.private.serversession import IpmiServer as BaseIpmiServer
from pyghmi.ipmi.private.session import Session as IpmiSession


class IpmiServer(BaseIpmiServer):
    def __init__(self, authdata, host, port, timeout):
        super().__init__(authdata=authdata, address=host, port=port)
        self.__timeout = timeout
        self.__power = False

    def run(self):
        sys.stderr.write("pyghmi_bmc: listening on [%s]:%d\n" % ("127.0.0.1", self.port))
        sys.stderr.flush()
        try:
            while True:
                IpmiSession.wait_for_rsp(self.__timeout)
        except (SystemExit, KeyboardInterrupt):
            pass

    # the same dispatch as kvmd-ipmi
    def handle_raw_request(self, request, session):
        handler = {
            (6, 1): (lambda _, session: self.send_device_id(session)),  # Get device ID
            (6, 7): self.__get_power_state_handler,  # Power state
            (6, 4): self.__get_selftest_status_handler,  # Self-test
            (6, 0x38): (lambda _, session: session.send_ipmi_response()),  # Get channel auth types
            (0, 1): self.__get_chassis_status_handler,  # Get chassis status
            (0, 2): self.__chassis_control_handler,  # Chassis control
        }.get((request["netfn"], request["command"]))
        if handler is not None:
            try:
                handler(request, session)
            except Exception:
                session.send_ipmi_response(code=0xFF)
        else:
            session.send_ipmi_response(code=0xC1)

    def __get_power_state_handler(self, _, session):
        session.send_ipmi_response(data=[(0 if self.__power else 5)])

    def __get_selftest_status_handler(self, _, session):
        session.send_ipmi_response(data=[0x0055])

    def __get_chassis_status_handler(self, _, session):
        session.send_ipmi_response(data=[int(self.__power), 0, 0])

    def __chassis_control_handler(self, req, session):
        action = {0: False, 1: True, 3: None, 5: False}.get(req["data"][0], "")
        if action == "":
            session.send_ipmi_response(code=0xCC)
            return
        if action is not None:
            self.__power = action
        session.send_ipmi_response(code=0)


def main():
    port = int(sys.argv[1])
    user = sys.argv[2] if len(sys.argv) > 2 else "admin"
    password = sys.argv[3] if len(sys.argv) > 3 else "admin"
    # kvmd-ipmi's default wait_for_rsp timeout (ipmi.server.timeout) is 10 s
    IpmiServer({user: password}, "127.0.0.1", port, 10.0).run()


if __name__ == "__main__":
    main()
