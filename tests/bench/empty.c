/* empty: a program that does nothing, for the floor of spawntime. */
int main(void)
{
	return 0;
}
