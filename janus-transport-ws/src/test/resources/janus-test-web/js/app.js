console.log("janus");
