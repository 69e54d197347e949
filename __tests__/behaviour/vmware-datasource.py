"""cloud-init's own VMware datasource reading guestinfo: what a node sees at first boot.

stdin: JSON list of {"metadata": <guestinfo.metadata>, "encoding": <guestinfo.metadata.encoding>}.
stdout: JSON list of {"instance_id", "hostname", "network"}: the datasource's network_config is
exactly what cloud-init's init-local stage hands to the network renderer.
The datasource reads guestinfo through `vmware-rpctool` on a VM; here through its environment
variable transport (VMX_GUESTINFO_*), which shares the decoding (gzip+base64) and metadata
processing code. Run with the interpreter of Debian's cloud-init package (/usr/bin/python3).
"""
import json
import os
import sys
import tempfile

from cloudinit import distros, helpers
from cloudinit.sources.DataSourceVMware import DataSourceVMware

paths = helpers.Paths({"cloud_dir": tempfile.mkdtemp(), "run_dir": tempfile.mkdtemp()})
distro = distros.fetch("rhel")("rhel", {}, paths)
results = []
for guestinfo in json.load(sys.stdin):
    os.environ["VMX_GUESTINFO"] = "1"
    os.environ["VMX_GUESTINFO_METADATA"] = guestinfo["metadata"]
    os.environ["VMX_GUESTINFO_METADATA_ENCODING"] = guestinfo["encoding"]
    source = DataSourceVMware({}, distro, paths)
    if not source._get_data():
        sys.exit("the VMware datasource found no data")
    results.append(
        {
            "instance_id": source.get_instance_id(),
            "hostname": source.metadata.get("local-hostname"),
            "network": source.network_config,
        }
    )
json.dump(results, sys.stdout)
