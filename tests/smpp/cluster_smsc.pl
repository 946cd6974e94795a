#!/usr/bin/perl
# An SMSC written with Net::SMPP (libnet-smpp-perl), not by us, that serves any number of binds
# at once (a process per connection) and reports what a carrier would measure: one line per
# bind, closed connection and submit, each with the time it saw it. Prints "PID <pid>" and
# "PORT <n>" once listening: on the port of its first argument if given (a restarted SMSC),
# else on any free one. Every submit gets an id and a delivery receipt.
#   BIND <conn> <unix time, s>     CLOSE <conn> <time>     SUBMIT <id> <destination> <time>
use strict;
use warnings;
use Net::SMPP;
use IO::Socket::INET;
use Time::HiRes qw(time);

$| = 1;
$SIG{CHLD} = 'IGNORE';  # children reap themselves
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ARGV[0] // 0, Listen => 64,
                                     ReuseAddr => 1) or die "listen: $!";
print "PID $$\n";
print "PORT ", $listener->sockport, "\n";
$SIG{TERM} = sub { kill 'TERM', -$$; exit 0 };
setpgrp(0, 0);

my $conn = 0;
while (1) {
  my $sock = $listener->accept or next;
  $conn++;
  my $pid = fork();
  if (!defined $pid) { close $sock; next; }
  if ($pid == 0) {
    $SIG{TERM} = 'DEFAULT';
    close $listener;
    serve($sock, $conn);
    exit 0;
  }
  close $sock;
}

sub serve {
  my ($sock, $c) = @_;
  my $smpp = bless $sock, 'Net::SMPP';
  ${*$smpp}{$_} = Net::SMPP::Default->{$_} for keys %{Net::SMPP::Default()};
  $smpp->set_version(0x34);
  my $n = 0;
  my $bound = 0;
  while (my $pdu = $smpp->read_pdu()) {
    my $cmd = $pdu->{cmd};
    if ($cmd == 0x00000009) {
      $bound = 1;
      printf "BIND %d %.6f\n", $c, time;
      $smpp->bind_transceiver_resp(seq => $pdu->{seq}, system_id => 'cluster', async => 1);
    } elsif ($cmd == 0x00000004) {
      my $id = sprintf('C%d-%d', $c, ++$n);
      printf "SUBMIT %s %s %.6f\n", $id, $pdu->{destination_addr}, time;
      $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => $id, async => 1);
      $smpp->deliver_sm(source_addr => $pdu->{destination_addr}, destination_addr => '0312345678',
                        esm_class => 0x04,
                        short_message => "id:$id sub:001 dlvrd:001 submit date:2601010900 "
                                         . "done date:2601010901 stat:DELIVRD err:000 text:",
                        receipted_message_id => "$id\0", message_state => pack('C', 2),
                        async => 1);
    } elsif ($cmd == 0x00000015) {
      $smpp->enquire_link_resp(seq => $pdu->{seq}, async => 1);
    } elsif ($cmd == 0x00000006) {
      # Counted as closed before it is answered: the client lets go of the bind on the answer.
      printf "CLOSE %d %.6f\n", $c, time if $bound;
      $bound = 0;
      $smpp->unbind_resp(seq => $pdu->{seq}, async => 1);
      last;
    }
  }
  printf "CLOSE %d %.6f\n", $c, time if $bound;
  close $sock;
}
