# Runs once inside the built root file system (see lab-server/images/builder.ts).

# The rootless engine's owner. Inside the sandbox's user namespace this uid is
# root; outside it, uid 1000 and 100000-165535 are nobody in particular.
useradd --uid 1000 --user-group --no-create-home --home-dir /root --shell /bin/bash engine
echo 'engine:100000:65536' > /etc/subuid
echo 'engine:100000:65536' > /etc/subgid

# No set-uid or set-gid program is left except the two the user namespace needs
# at start: a learner who found a way out of the namespace would find nothing
# to climb with.
find / -xdev -type f \( -perm -4000 -o -perm -2000 \) ! -name newuidmap ! -name newgidmap -exec chmod ug-s {} +

# The learner's home, the engine's data, /srv, /opt and /usr/local are tmpfs
# mounts owned by uid 1000 (lab-server/sandbox/profiles.ts); the image keeps
# empty mount points.
mkdir -p /var/lib/docker /root /srv /opt /usr/local
rm -rf /usr/local/* /srv/* /opt/*
