// The MISApprox module; see Docs/.
